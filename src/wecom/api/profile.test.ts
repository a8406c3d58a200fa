import { describe, expect, it } from 'vitest';
import { toMemberProfile } from './profile.js';
import type { WeComMember } from './responses.js';

const bare: WeComMember = { userid: 'ZhangSan', department: [], status: 1 };

describe('toMemberProfile', () => {
  it('a member with nothing but a userid maps without crashing', () => {
    expect(toMemberProfile(bare)).toEqual({ userid: 'ZhangSan', department: [], emailVerified: false });
  });

  it('keeps userid as WeCom returned it and copies organisational fields', () => {
    const profile = toMemberProfile({
      ...bare,
      name: '张三',
      department: [1, 7],
      main_department: 7,
      position: '工程师',
      alias: 'Sam',
    });
    expect(profile).toEqual({
      userid: 'ZhangSan',
      name: '张三',
      department: [1, 7],
      mainDepartment: 7,
      position: '工程师',
      alias: 'Sam',
      emailVerified: false,
    });
  });

  it('the corp-issued biz_mail is a verified email', () => {
    const profile = toMemberProfile({ ...bare, biz_mail: 'zs@corp.example', email: 'zs@gmail.example' });
    expect(profile).toMatchObject({ email: 'zs@corp.example', emailVerified: true });
  });

  it('a personal email is never verified', () => {
    expect(toMemberProfile({ ...bare, email: 'zs@gmail.example' })).toMatchObject({
      email: 'zs@gmail.example',
      emailVerified: false,
    });
  });

  it('empty strings are absent', () => {
    const profile = toMemberProfile({
      ...bare,
      name: '',
      position: ' ',
      alias: '',
      biz_mail: '',
      email: '',
      mobile: '',
      avatar: '',
      gender: '0',
    });
    expect(profile).toEqual({ userid: 'ZhangSan', department: [], emailVerified: false });
  });

  it('maps phone, picture and gender; undisclosed gender is no claim', () => {
    expect(toMemberProfile({ ...bare, mobile: '13800000000', avatar: 'https://a/0', gender: '2' })).toMatchObject({
      phoneNumber: '13800000000',
      picture: 'https://a/0',
      gender: 'female',
    });
    expect(toMemberProfile({ ...bare, gender: '1' }).gender).toBe('male');
    expect('gender' in toMemberProfile({ ...bare, gender: '0' })).toBe(false);
  });

  it('getuserdetail fields win over user/get ones where both exist', () => {
    const profile = toMemberProfile(
      { ...bare, mobile: '111', avatar: 'https://old', gender: '1', email: 'old@gmail.example', name: '张三' },
      { userid: 'ZhangSan', mobile: '222', avatar: 'https://new', gender: '2', biz_mail: '', email: 'new@gmail.example' },
    );
    expect(profile).toMatchObject({
      name: '张三',
      phoneNumber: '222',
      picture: 'https://new',
      gender: 'female',
      email: 'new@gmail.example',
      emailVerified: false,
    });
  });

  it('a biz_mail from either source beats any personal email', () => {
    const profile = toMemberProfile({ ...bare, biz_mail: 'zs@corp.example' }, { userid: 'ZhangSan', email: 'zs@gmail.example' });
    expect(profile).toMatchObject({ email: 'zs@corp.example', emailVerified: true });
  });

  it('does not share the department array with the input', () => {
    const member = { ...bare, department: [1] };
    toMemberProfile(member).department.push(2);
    expect(member.department).toEqual([1]);
  });
});
