import { describe, expect, it } from 'vitest';
import { punycodeDecode, punycodeEncode } from './punycode-codec.js';

/** RFC 3492 section 7.1's sample strings, and the KQL reference's. */
const SAMPLES: readonly (readonly [string, string])[] = [
  ['académie-française', 'acadmie-franaise-npb1a'],
  ['艺术', 'cqv902d'],
  ['bücher', 'bcher-kva'],
  ['他们为什么不说中文', 'ihqwcrb4cv8a8dqg056pqjye'],
  ['3年B組金八先生', '3B-ww4c5e180e575a65lsy2b'],
];

describe('punycode-codec', () => {
  describe('punycodeEncode', () => {
    it('should encode as RFC 3492 does, code point by code point', () => {
      expect(SAMPLES.map(([text]) => punycodeEncode(text))).toEqual(SAMPLES.map(([, code]) => code));
    });
  });

  describe('punycodeDecode', () => {
    it('should decode what it encodes', () => {
      expect(SAMPLES.map(([, code]) => punycodeDecode(code))).toEqual(SAMPLES.map(([text]) => text));
    });

    it('should give undefined for text that is not Punycode', () => {
      expect(punycodeDecode('abc-!')).toBeUndefined();
      expect(punycodeDecode('a-99999999999')).toBeUndefined();
    });
  });
});
