import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskAddress, maskBirthday, maskEmail, maskIdNumber, maskName, maskPhone, maskTraits } from './mask.ts';

describe('masking for display', () => {
  it('keeps a mainland mobile number\'s first 3 and last 4 digits, whatever its formatting', () => {
    assert.equal(maskPhone('13812341234'), '138****1234');
    assert.equal(maskPhone('+86 138-1234-1234'), '138****1234');
    assert.equal(maskPhone('008613812341234'), '138****1234');
    assert.equal(maskPhone('0571-88886666'), '057*****6666');
    assert.equal(maskPhone('12345'), '****');
  });
  it('keeps an email\'s first character and domain', () => {
    assert.equal(maskEmail('zhang.san@example.com'), 'z***@example.com');
    assert.equal(maskEmail('a@b.cn'), 'a***@b.cn');
    assert.equal(maskEmail('not-an-email'), '***');
  });
  it('keeps a resident ID number\'s region prefix and last 4 characters', () => {
    assert.equal(maskIdNumber('110105199001011234'), '110***********1234');
    assert.equal(maskIdNumber('11010519900101123X'), '110***********123X');
    assert.equal(maskIdNumber('110105900101123'), '110********1123');
  });
  it('keeps an address\'s province and city', () => {
    assert.equal(maskAddress('浙江省杭州市西湖区文三路90号'), '浙江省杭州市****');
    assert.equal(maskAddress('北京市朝阳区建国路88号'), '北京市****');
    assert.equal(maskAddress('广西壮族自治区南宁市青秀区民族大道1号'), '广西壮族自治区南宁市****');
    assert.equal(maskAddress('上海市'), '上海市');
    assert.equal(maskAddress('湖北省恩施土家族苗族自治州利川市'), '湖北省恩施土家族苗族自治州****');
    assert.deepEqual(maskAddress({ city: '杭州', state: '浙江', country: 'CN', street: '文三路90号', postalCode: '310012' }),
      { city: '杭州', state: '浙江', country: 'CN', street: '****', postalCode: '****' });
  });
  it('keeps a name\'s first character and a birthday\'s year', () => {
    assert.equal(maskName('张三'), '张*');
    assert.equal(maskName('欧阳娜娜'), '欧***');
    assert.equal(maskName('Li Wei'), 'L*****');
    assert.equal(maskBirthday('1990-05-17'), '1990-**-**');
  });
  it('masks contact details, ID numbers and addresses of a traits object by key (any case, _ or - ignored) and nothing else', () => {
    const t = { email: 'li@x.cn', Phone: '13900001111', id_number: '110105199001011234', idCard: '110105199001011234',
      name: '李娜', address: { city: '杭州', street: '文三路' }, city_tier: '一线', age: 31 };
    assert.deepEqual(maskTraits(t), {
      email: 'l***@x.cn', Phone: '139****1111', id_number: '110***********1234', idCard: '110***********1234',
      name: '李娜', address: { city: '杭州', street: '****' }, city_tier: '一线', age: 31,
    });
  });
  it('leaves already masked values as they are', () => {
    const once = maskTraits({ email: 'li@x.cn', phone: '13900001111', id_number: '110105199001011234', address: '浙江省杭州市西湖区' });
    assert.deepEqual(maskTraits(once), once);
  });
});
