import { describe, expect, it } from 'vitest';
import { matchesDateFormat } from './date-format.js';

const dt = (format: string, value: string) => matchesDateFormat('datetime', value, format);

describe('Java DateTimeFormatter patterns', () => {
  it('accept values in common Pact formats', () => {
    expect(dt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", '2024-01-02T03:04:05.123+01:00')).toBe(true);
    expect(dt("yyyy-MM-dd'T'HH:mm:ss.SSSX", '2024-01-02T03:04:05.123Z')).toBe(true);
    expect(dt("yyyy-MM-dd'T'HH:mm:ssZ", '2024-01-02T03:04:05+0000')).toBe(true);
    expect(dt('EEE, dd MMM yyyy HH:mm:ss z', 'Tue, 02 Jan 2024 03:04:05 GMT')).toBe(true);
    expect(dt('EEEE d MMMM yy', 'Tuesday 2 January 24')).toBe(true);
    expect(dt('hh:mm a', '03:04 PM')).toBe(true);
    expect(dt('yyyy-MM-dd HH:mm:ss[.SSS]', '2024-01-02 03:04:05')).toBe(true);
    expect(dt('yyyy-MM-dd HH:mm:ss[.SSS]', '2024-01-02 03:04:05.123')).toBe(true);
    expect(dt("yyyy''MM", "2024'01")).toBe(true);
  });

  it('reject values that break the pattern', () => {
    expect(dt('dd/MM/yyyy', '2/1/2024')).toBe(false); // dd needs two digits
    expect(dt('yyyy-MM-dd', '2024-13-01')).toBe(false);
    expect(dt('HH:mm', '24:00')).toBe(false);
    expect(dt('hh:mm a', '13:04 PM')).toBe(false);
    expect(dt('yyyy-MM-dd HH:mm:ss.S', '2024-01-02 03:04:05.12')).toBe(false); // S is one digit
    expect(dt("yyyy-MM-dd'T'HH:mm:ssXXX", '2024-01-02T03:04:05+0100')).toBe(false);
  });

  it('reject days that do not exist, leap years included', () => {
    expect(dt('yyyy-MM-dd', '2024-02-29')).toBe(true);
    expect(dt('yyyy-MM-dd', '2023-02-29')).toBe(false);
    expect(dt('yyyy-MM-dd', '1900-02-29')).toBe(false);
    expect(dt('yyyy-MM-dd', '2000-02-29')).toBe(true);
    expect(dt('dd MMM yyyy', '31 Apr 2024')).toBe(false);
    expect(dt('MM-dd', '02-29')).toBe(true); // no year: any leap year will do
  });

  it('default to ISO 8601 without a pattern', () => {
    expect(matchesDateFormat('date', '2024-05-06', undefined)).toBe(true);
    expect(matchesDateFormat('date', '2024-5-6', undefined)).toBe(false);
    expect(matchesDateFormat('time', '10:11:12.5+02:00', undefined)).toBe(true);
    expect(matchesDateFormat('datetime', '2024-05-06T10:11:12Z', undefined)).toBe(true);
    expect(matchesDateFormat('datetime', '2024-02-30T10:11:12Z', undefined)).toBe(false);
    expect(matchesDateFormat('datetime', '2024-05-06', undefined)).toBe(false);
  });
});
