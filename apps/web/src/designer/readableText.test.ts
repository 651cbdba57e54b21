import { describe, expect, it } from 'vitest';
import { readableTextOn } from './readableText';

describe('readableTextOn', () => {
  it('picks the text colour with the higher contrast', () => {
    expect(readableTextOn('#ff9900')).toBe('#000000');
    expect(readableTextOn('#1677ff')).toBe('#000000');
    expect(readableTextOn('#1c2024')).toBe('#ffffff');
    expect(readableTextOn('#8e4ec6')).toBe('#ffffff');
    expect(readableTextOn('#FFFFFF')).toBe('#000000');
  });

  it('falls back to white for colours it cannot read', () => {
    expect(readableTextOn('orange')).toBe('#ffffff');
  });
});
