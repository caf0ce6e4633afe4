// Geography and names for synthetic shoppers. Cities are grouped by the commercial city tiers used in
// Chinese market research (一线 … 四线及以下); tier weights lean to lower tiers, where e-commerce
// growth now comes from (下沉市场). Entries are "city|City|province|Province".

export const CITY_TIERS = ['一线', '新一线', '二线', '三线', '四线及以下'] as const;
export type CityTier = (typeof CITY_TIERS)[number];
export const CITY_TIER_EN: Record<CityTier, string> = {
  一线: 'Tier 1', 新一线: 'New Tier 1', 二线: 'Tier 2', 三线: 'Tier 3', 四线及以下: 'Tier 4 and below',
};
/** Share of shoppers per tier, same order as CITY_TIERS. */
export const TIER_WEIGHTS = [0.13, 0.2, 0.22, 0.2, 0.25];

const RAW: Record<CityTier, string> = {
  一线: '北京|Beijing|北京|Beijing 上海|Shanghai|上海|Shanghai 广州|Guangzhou|广东|Guangdong 深圳|Shenzhen|广东|Guangdong',
  新一线:
    '成都|Chengdu|四川|Sichuan 重庆|Chongqing|重庆|Chongqing 杭州|Hangzhou|浙江|Zhejiang 武汉|Wuhan|湖北|Hubei ' +
    '西安|Xian|陕西|Shaanxi 苏州|Suzhou|江苏|Jiangsu 郑州|Zhengzhou|河南|Henan 南京|Nanjing|江苏|Jiangsu ' +
    '天津|Tianjin|天津|Tianjin 长沙|Changsha|湖南|Hunan 东莞|Dongguan|广东|Guangdong 宁波|Ningbo|浙江|Zhejiang ' +
    '佛山|Foshan|广东|Guangdong 合肥|Hefei|安徽|Anhui 青岛|Qingdao|山东|Shandong',
  二线:
    '昆明|Kunming|云南|Yunnan 沈阳|Shenyang|辽宁|Liaoning 济南|Jinan|山东|Shandong 无锡|Wuxi|江苏|Jiangsu ' +
    '厦门|Xiamen|福建|Fujian 福州|Fuzhou|福建|Fujian 温州|Wenzhou|浙江|Zhejiang 哈尔滨|Harbin|黑龙江|Heilongjiang ' +
    '大连|Dalian|辽宁|Liaoning 贵阳|Guiyang|贵州|Guizhou 南宁|Nanning|广西|Guangxi 石家庄|Shijiazhuang|河北|Hebei ' +
    '长春|Changchun|吉林|Jilin 南昌|Nanchang|江西|Jiangxi 太原|Taiyuan|山西|Shanxi 珠海|Zhuhai|广东|Guangdong',
  三线:
    '洛阳|Luoyang|河南|Henan 扬州|Yangzhou|江苏|Jiangsu 芜湖|Wuhu|安徽|Anhui 赣州|Ganzhou|江西|Jiangxi ' +
    '襄阳|Xiangyang|湖北|Hubei 桂林|Guilin|广西|Guangxi 三亚|Sanya|海南|Hainan 银川|Yinchuan|宁夏|Ningxia ' +
    '绵阳|Mianyang|四川|Sichuan 湛江|Zhanjiang|广东|Guangdong 宜昌|Yichang|湖北|Hubei 呼和浩特|Hohhot|内蒙古|Inner Mongolia',
  四线及以下:
    '曲靖|Qujing|云南|Yunnan 邵阳|Shaoyang|湖南|Hunan 周口|Zhoukou|河南|Henan 商丘|Shangqiu|河南|Henan ' +
    '南充|Nanchong|四川|Sichuan 遵义|Zunyi|贵州|Guizhou 六安|Luan|安徽|Anhui 天水|Tianshui|甘肃|Gansu ' +
    '玉林|Yulin|广西|Guangxi 菏泽|Heze|山东|Shandong 宿迁|Suqian|江苏|Jiangsu 梅州|Meizhou|广东|Guangdong',
};

export interface City {
  index: number;
  zh: string;
  en: string;
  provinceZh: string;
  provinceEn: string;
  tier: CityTier;
  tierIndex: number;
}

export const CITIES: City[] = [];
/** City indexes per tier index. */
export const CITIES_BY_TIER: number[][] = CITY_TIERS.map(() => []);
CITY_TIERS.forEach((tier, ti) => {
  for (const entry of RAW[tier].split(' ')) {
    const [zh, en, provinceZh, provinceEn] = entry.split('|');
    CITIES_BY_TIER[ti].push(CITIES.length);
    CITIES.push({ index: CITIES.length, zh, en, provinceZh, provinceEn, tier, tierIndex: ti });
  }
});

/** Common surnames, roughly by frequency. */
export const SURNAMES = '王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹'.split(' ');
export const GIVEN_FEMALE = '静 丽 敏 婷 雪 芳 娜 欣怡 梓涵 诗涵 雨桐 佳怡 思琪 可馨 子涵 一诺 悦 琳 晓彤 梦瑶'.split(' ');
export const GIVEN_MALE = '伟 强 磊 军 洋 勇 杰 浩然 子轩 宇航 俊杰 博文 皓轩 一鸣 天佑 明 鹏 浩 宇 晨'.split(' ');

/** Age bands as used by the tags; birth years drawn within them. */
export const AGE_BANDS: { band: string; lo: number; hi: number; weight: number }[] = [
  { band: '18-24', lo: 18, hi: 24, weight: 0.26 },
  { band: '25-29', lo: 25, hi: 29, weight: 0.21 },
  { band: '30-34', lo: 30, hi: 34, weight: 0.19 },
  { band: '35-39', lo: 35, hi: 39, weight: 0.13 },
  { band: '40-49', lo: 40, hi: 49, weight: 0.13 },
  { band: '50+', lo: 50, hi: 65, weight: 0.08 },
];

export type DeviceType = 'ios' | 'android' | 'pc' | 'mini_program';
export const DEVICE_TYPES: DeviceType[] = ['ios', 'android', 'pc', 'mini_program'];
export const DEVICE_WEIGHTS = [0.3, 0.44, 0.1, 0.16];

/** Acquisition channels [code, zh, en]. */
export const CHANNELS: [string, string, string][] = [
  ['organic', '自然流量', 'Organic'],
  ['search_ads', '搜索广告', 'Search ads'],
  ['feed_ads', '信息流广告', 'In-feed ads'],
  ['social', '社交分享', 'Social sharing'],
  ['referral', '好友推荐', 'Friend referral'],
  ['app_store', '应用商店', 'App store'],
  ['livestream', '直播带货', 'Livestream'],
];
export const CHANNEL_WEIGHTS = [0.3, 0.14, 0.18, 0.12, 0.08, 0.1, 0.08];
