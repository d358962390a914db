import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

describe('IP functions', () => {
  describe('IPv4', () => {
    it('should parse, mask and format addresses with their prefix', async () => {
      expect(
        await kql.rows(
          "print parse_ipv4('255.255.255.255/31'), parse_ipv4('1.2.3.256'), parse_ipv4_mask('10.1.2.3', 8), ipv4_netmask_suffix('10.0.0.1/12'), format_ipv4('192.168.1.1/24', 32), format_ipv4_mask('192.168.1.1', 24), format_ipv4(3232235777), format_ipv4('192.168.1.1', -1)",
        ),
      ).toEqual([[4294967294, null, 167772160, 12, '192.168.1.0', '192.168.1.0/24', '192.168.1.1', '']]);
    });

    it('should compare on the shortest prefix and test ranges', async () => {
      expect(
        await kql.rows(
          "print ipv4_compare('10.0.0.2', '10.0.0.1'), ipv4_compare('10.0.0.1/30', '10.0.0.2'), ipv4_is_match('10.0.0.1', '10.0.0.3', 31), ipv4_is_in_range('10.1.1.1', '10.0.0.0/8'), ipv4_is_in_any_range('10.1.1.1', dynamic(['192.168.0.0/16', '10.0.0.0/8'])), ipv4_is_private('172.31.0.1'), ipv4_is_private('172.32.0.1')",
        ),
      ).toEqual([[1, 0, false, true, true, true, false]]);
    });

    it('should find addresses only as whole tokens of a text', async () => {
      expect(
        await kql.rows(
          "print has_ipv4('x 10.0.0.1, y', '10.0.0.1'), has_ipv4('x10.0.0.1', '10.0.0.1'), has_ipv4_prefix('a 10.20.0.1 b', '10.20.'), has_ipv4_prefix('a 10.20.0.1 b', '10.20'), has_any_ipv4('a 1.1.1.1', '2.2.2.2', '1.1.1.1')",
        ),
      ).toEqual([[true, false, true, false, true]]);
    });
  });

  describe('IPv6', () => {
    it('should expand, mask and print canonical addresses, IPv4 as mapped', async () => {
      expect(
        await kql.rows(
          "print parse_ipv6('fe80::85d:e82c:9446:7994/120'), parse_ipv6('::192.168.255.255/24'), parse_ipv6_mask('1::', 8), parse_ipv6('1::2::3'), parse_ipv6('1:2:3:4:5:6:7:8:9')",
        ),
      ).toEqual([
        [
          'fe80:0000:0000:0000:085d:e82c:9446:7900',
          '0000:0000:0000:0000:0000:ffff:c0a8:ff00',
          '0000:0000:0000:0000:0000:0000:0000:0000',
          '',
          '',
        ],
      ]);
    });

    it('should compare IPv6 and mapped IPv4 addresses on the shortest prefix', async () => {
      expect(
        await kql.rows(
          "print ipv6_compare('::1', '::2'), ipv6_compare('192.168.1.1', '::ffff:c0a8:0101'), ipv6_is_match('fe80::1', 'fe80::2', 126), ipv6_is_in_range('a5e::abcd', 'a5e::/112'), ipv6_is_in_any_range('a5e::1', 'b::/16', 'a5e::/16')",
        ),
      ).toEqual([[-1, 0, true, true, true]]);
    });
  });
});
