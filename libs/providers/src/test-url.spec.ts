import { VendorTransportError } from '@external-tests/common';
import { checkTestUrl } from './test-url';

describe('checkTestUrl', () => {
  const hosts = ['masterytrack.ai', '127.0.0.1:4010'];

  it.each(['https://masterytrack.ai/assignment/1', 'http://127.0.0.1:4010/assignment/2'])('accepts %s', (url) => {
    expect(checkTestUrl('MasteryTrack', url, hosts)).toBe(url);
  });

  it.each([
    ['another host', 'https://evil.example/assignment/1'],
    ['a lookalike host', 'https://masterytrack.ai.evil.example/x'],
    ['a javascript: link', 'javascript:alert(1)'],
    ['a data: link', 'data:text/html,hi'],
    ['garbage', 'not a url'],
  ])('refuses %s as a bad response', (_name, url) => {
    expect(() => checkTestUrl('MasteryTrack', url, hosts)).toThrow(VendorTransportError);
  });
});
