// The bilingual category tree of the synthetic shop. Kept as compact literal data so the whole tree
// is readable on one screen per top category. Leaves are written "zh:en:extra search words" and
// separated by "|"; words are what shoppers type (mostly Chinese, a few pinyin/English habits).
// No quotes or backslashes in this file's strings: they go into JSON lines unescaped for speed.

/** Which attribute vocabulary an item of this top category draws from. */
export type AttrKind = 'apparel' | 'beauty' | 'tech' | 'home' | 'food' | 'book' | 'baby' | 'sport' | 'pet' | 'health' | 'jewel';

export interface TopCategoryDef {
  code: string;
  zh: string;
  en: string;
  /** Typical days between repeat purchases in this category (consumables short, durables long). */
  cycleDays: number;
  /** Repeat purchases follow the cycle (replenishment) rather than being occasional. */
  consumable: boolean;
  /** Base Dirichlet weight: how common an interest this category is in the population. */
  alpha: number;
  /** Multiplier on alpha for women (and its inverse for men): gendered shopping patterns. */
  femaleLean: number;
  attrs: AttrKind;
  /** [zh, en, median price CNY, log-sd of price, leaves]. */
  subs: [string, string, number, number, string][];
}

export const TOP_CATEGORIES: TopCategoryDef[] = [
  { code: 'apparel', zh: '服装', en: 'Apparel', cycleDays: 40, consumable: false, alpha: 1.6, femaleLean: 1.5, attrs: 'apparel', subs: [
    ['女装', 'Women', 189, 0.6, '连衣裙:Dresses:裙子 长裙 碎花裙|T恤:T-shirts:短袖 体恤 tshirt|毛呢大衣:Wool Coats:大衣 外套 呢子|半身裙:Skirts:短裙 百褶裙|针织衫:Knitwear:毛衣 开衫'],
    ['男装', 'Men', 199, 0.6, '衬衫:Shirts:男衬衫 商务|卫衣:Hoodies:连帽 套头|休闲裤:Casual Trousers:裤子 直筒裤|羽绒服:Down Jackets:羽绒 冬装 保暖|夹克:Jackets:外套 工装'],
    ['内衣家居服', 'Underwear & Loungewear', 79, 0.5, '文胸:Bras:内衣 无钢圈|睡衣:Pyjamas:家居服 睡衣套装|袜子:Socks:棉袜 船袜'],
  ] },
  { code: 'shoes_bags', zh: '鞋靴箱包', en: 'Shoes & Bags', cycleDays: 75, consumable: false, alpha: 0.9, femaleLean: 1.4, attrs: 'apparel', subs: [
    ['女鞋', "Women's Shoes", 229, 0.55, '单鞋:Flats:平底鞋 浅口|靴子:Boots:短靴 马丁靴|高跟鞋:Heels:细跟 尖头'],
    ['男鞋', "Men's Shoes", 259, 0.55, '皮鞋:Leather Shoes:商务 正装|休闲鞋:Casual Shoes:板鞋 帆布鞋'],
    ['箱包', 'Bags & Luggage', 299, 0.8, '双肩包:Backpacks:书包 电脑包|行李箱:Suitcases:拉杆箱 登机箱|女士手提包:Handbags:包包 斜挎包 托特包'],
  ] },
  { code: 'beauty', zh: '美妆', en: 'Beauty', cycleDays: 35, consumable: true, alpha: 1.2, femaleLean: 2.6, attrs: 'beauty', subs: [
    ['护肤', 'Skincare', 239, 0.7, '面霜:Face Cream:保湿 抗老|精华液:Serums:精华 修护|面膜:Face Masks:补水面膜 贴片|洁面:Cleansers:洗面奶 氨基酸|防晒霜:Sunscreen:防晒 spf50'],
    ['彩妆', 'Makeup', 149, 0.6, '口红:Lipsticks:唇膏 唇釉 显白|粉底液:Foundation:粉底 持妆|眼影:Eyeshadow:眼影盘 大地色'],
    ['香水', 'Fragrance', 459, 0.6, '女士香水:Women Perfume:香水 淡香|男士香水:Men Cologne:古龙水 木质香'],
  ] },
  { code: 'personal_care', zh: '个护清洁', en: 'Personal Care', cycleDays: 28, consumable: true, alpha: 1.0, femaleLean: 1.2, attrs: 'health', subs: [
    ['洗发护发', 'Hair Care', 59, 0.5, '洗发水:Shampoo:去屑 控油 洗头膏|护发素:Conditioner:发膜 顺滑'],
    ['口腔护理', 'Oral Care', 39, 0.6, '牙膏:Toothpaste:美白 护龈|电动牙刷:Electric Toothbrushes:牙刷 声波'],
    ['家庭清洁', 'Household Cleaning', 45, 0.5, '洗衣液:Laundry Detergent:洗衣 凝珠|纸巾:Tissues:抽纸 卷纸 湿巾'],
  ] },
  { code: 'electronics', zh: '数码', en: 'Electronics', cycleDays: 200, consumable: false, alpha: 1.1, femaleLean: 0.6, attrs: 'tech', subs: [
    ['手机', 'Phones', 2899, 0.55, '智能手机:Smartphones:手机 5g 拍照手机|手机壳:Phone Cases:保护壳 防摔|充电器:Chargers:快充 充电宝 数据线'],
    ['电脑办公', 'Computers', 4999, 0.5, '笔记本电脑:Laptops:笔记本 轻薄本 游戏本|平板电脑:Tablets:平板 ipad|键盘鼠标:Keyboards & Mice:机械键盘 鼠标'],
    ['影音', 'Audio', 399, 0.8, '蓝牙耳机:Wireless Earbuds:耳机 降噪 tws|音箱:Speakers:蓝牙音箱 智能音箱'],
    ['智能穿戴', 'Wearables', 899, 0.6, '智能手表:Smartwatches:手表 运动手表|手环:Fitness Bands:运动手环 心率'],
  ] },
  { code: 'appliances', zh: '家电', en: 'Appliances', cycleDays: 240, consumable: false, alpha: 0.7, femaleLean: 1.0, attrs: 'tech', subs: [
    ['厨房电器', 'Kitchen Appliances', 399, 0.7, '电饭煲:Rice Cookers:电饭锅 智能|空气炸锅:Air Fryers:炸锅 无油|咖啡机:Coffee Machines:咖啡 意式'],
    ['生活电器', 'Home Appliances', 899, 0.8, '扫地机器人:Robot Vacuums:扫地机 拖地|空气净化器:Air Purifiers:净化器 除甲醛|加湿器:Humidifiers:加湿 静音'],
    ['个护电器', 'Personal Appliances', 299, 0.6, '吹风机:Hair Dryers:电吹风 负离子|剃须刀:Shavers:电动剃须刀'],
  ] },
  { code: 'home', zh: '家居', en: 'Home', cycleDays: 60, consumable: false, alpha: 1.0, femaleLean: 1.2, attrs: 'home', subs: [
    ['家纺', 'Bedding', 199, 0.6, '四件套:Bedding Sets:床单 被套 纯棉|枕头:Pillows:乳胶枕 记忆枕|毛巾:Towels:浴巾 纯棉毛巾'],
    ['厨具', 'Kitchenware', 129, 0.6, '炒锅:Woks:不粘锅 铁锅|保温杯:Insulated Bottles:水杯 杯子|餐具:Tableware:碗 盘子 碗碟套装'],
    ['收纳', 'Storage', 59, 0.5, '收纳箱:Storage Boxes:整理箱|衣架:Hangers:防滑衣架'],
    ['家具', 'Furniture', 899, 0.7, '沙发:Sofas:布艺沙发 懒人沙发|书桌:Desks:电脑桌 学习桌|床:Beds:实木床 双人床'],
  ] },
  { code: 'food', zh: '食品', en: 'Food', cycleDays: 12, consumable: true, alpha: 1.5, femaleLean: 1.0, attrs: 'food', subs: [
    ['休闲零食', 'Snacks', 39, 0.5, '坚果:Nuts:每日坚果 零食|饼干:Biscuits:曲奇 零食大礼包|辣条:Spicy Strips:卫龙 麻辣'],
    ['生鲜', 'Fresh', 79, 0.6, '水果:Fruit:车厘子 苹果 橙子|牛排:Steaks:牛肉 西冷|海鲜:Seafood:虾 大闸蟹'],
    ['酒水饮料', 'Drinks', 69, 0.8, '茶叶:Tea:绿茶 普洱 龙井|咖啡豆:Coffee Beans:咖啡 挂耳|白酒:Baijiu:酱香 白酒 礼盒'],
    ['粮油调味', 'Pantry', 49, 0.5, '大米:Rice:东北大米 五常|食用油:Cooking Oil:花生油|酱油:Soy Sauce:生抽 调味'],
  ] },
  { code: 'mother_baby', zh: '母婴', en: 'Mother & Baby', cycleDays: 16, consumable: true, alpha: 0.7, femaleLean: 1.8, attrs: 'baby', subs: [
    ['奶粉', 'Formula', 289, 0.35, '婴儿奶粉:Infant Formula:奶粉 一段 二段|儿童奶粉:Kids Milk Powder:成长奶粉'],
    ['尿裤湿巾', 'Diapers & Wipes', 119, 0.35, '纸尿裤:Diapers:尿不湿 拉拉裤|婴儿湿巾:Baby Wipes:湿巾 手口湿巾'],
    ['童装', "Kids' Clothing", 99, 0.5, '儿童外套:Kids Jackets:童装 外套|儿童套装:Kids Sets:宝宝衣服'],
    ['玩具', 'Toys', 129, 0.7, '积木:Building Blocks:拼装 益智|毛绒玩具:Plush Toys:公仔 玩偶'],
  ] },
  { code: 'sports', zh: '运动户外', en: 'Sports & Outdoors', cycleDays: 70, consumable: false, alpha: 0.9, femaleLean: 0.8, attrs: 'sport', subs: [
    ['运动鞋', 'Sneakers', 499, 0.5, '跑步鞋:Running Shoes:跑鞋 缓震 慢跑|篮球鞋:Basketball Shoes:球鞋 实战|板鞋:Skate Shoes:小白鞋'],
    ['运动服', 'Sportswear', 259, 0.5, '瑜伽服:Yoga Wear:瑜伽裤 健身服|运动裤:Track Pants:速干 束脚裤|冲锋衣:Shell Jackets:户外 防水'],
    ['健身器材', 'Fitness', 299, 0.8, '瑜伽垫:Yoga Mats:加厚 防滑|哑铃:Dumbbells:健身 家用|跑步机:Treadmills:家用跑步机'],
    ['户外装备', 'Outdoor Gear', 399, 0.7, '帐篷:Tents:露营 野营|登山包:Hiking Packs:户外背包'],
  ] },
  { code: 'books', zh: '图书', en: 'Books', cycleDays: 45, consumable: false, alpha: 0.6, femaleLean: 1.1, attrs: 'book', subs: [
    ['文学', 'Literature', 45, 0.35, '小说:Novels:长篇小说 畅销书|散文:Essays:随笔 散文集'],
    ['童书', "Children's Books", 39, 0.4, '绘本:Picture Books:儿童绘本 早教|科普:Popular Science:少儿科普'],
    ['教育', 'Education', 49, 0.4, '考试:Exam Prep:考研 四六级 公务员|外语:Languages:英语 雅思'],
    ['经管', 'Business', 59, 0.35, '管理:Management:管理学 领导力|投资理财:Investing:理财 基金 股票'],
  ] },
  { code: 'pets', zh: '宠物', en: 'Pets', cycleDays: 25, consumable: true, alpha: 0.5, femaleLean: 1.2, attrs: 'pet', subs: [
    ['猫主粮', 'Cat Food', 159, 0.5, '猫粮:Dry Cat Food:猫粮 全价 成猫|猫罐头:Canned Cat Food:主食罐 湿粮'],
    ['狗主粮', 'Dog Food', 179, 0.5, '狗粮:Dry Dog Food:狗粮 小型犬|狗零食:Dog Treats:磨牙棒 零食'],
    ['宠物用品', 'Pet Supplies', 69, 0.7, '猫砂:Cat Litter:豆腐猫砂 膨润土|宠物窝:Pet Beds:猫窝 狗窝'],
  ] },
  { code: 'jewellery', zh: '珠宝配饰', en: 'Jewellery & Accessories', cycleDays: 180, consumable: false, alpha: 0.4, femaleLean: 1.6, attrs: 'jewel', subs: [
    ['手表', 'Watches', 1299, 0.8, '机械表:Mechanical Watches:自动机械 腕表|石英表:Quartz Watches:石英 女表'],
    ['饰品', 'Jewellery', 399, 0.9, '项链:Necklaces:锁骨链 吊坠|耳饰:Earrings:耳环 耳钉|黄金:Gold:金饰 足金 转运珠'],
    ['眼镜', 'Eyewear', 299, 0.6, '太阳镜:Sunglasses:墨镜 防紫外线|眼镜框:Frames:近视眼镜 镜框'],
  ] },
  { code: 'health', zh: '医药保健', en: 'Health', cycleDays: 35, consumable: true, alpha: 0.5, femaleLean: 1.0, attrs: 'health', subs: [
    ['营养保健', 'Supplements', 169, 0.6, '维生素:Vitamins:复合维生素 维c|蛋白粉:Protein Powder:乳清蛋白 增肌|鱼油:Fish Oil:深海鱼油 omega3'],
    ['医疗器械', 'Medical Devices', 199, 0.7, '血压计:Blood Pressure Monitors:电子血压计|体温计:Thermometers:额温枪 耳温'],
  ] },
];
