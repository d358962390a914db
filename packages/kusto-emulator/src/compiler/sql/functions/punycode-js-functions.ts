/**
 * The implementations of punycode-functions.ts. Kusto returns an empty string when a value cannot be encoded or
 * decoded. A string of ASCII characters only is refused: RFC 3492 then writes the string followed by the
 * delimiter (`abc` → `abc-`), and the reference does not show whether ADX does so.
 */
import { punycodeDecode, punycodeEncode } from './punycode-codec.js';
import { PUNYCODE_FUNCTION_RESULTS, type PunycodeFunctionName } from './punycode-functions.js';
import {
  jsScalarFunctions,
  JsScalarUnsupportedError,
  type JsScalarArgument,
  type JsScalarFunction,
  type JsScalarResult,
} from './js-scalar-function.js';

const isAsciiOnly = (text: string): boolean => [...text].every((c) => c.charCodeAt(0) < 0x80);

const CALLS: Readonly<Record<PunycodeFunctionName, (value: JsScalarArgument) => JsScalarResult>> = {
  punycode_from_string: (value) => {
    const text = typeof value === 'string' ? value : '';
    if (text !== '' && isAsciiOnly(text)) {
      throw new JsScalarUnsupportedError(
        'punycode_from_string() of a string without non-ASCII characters is not supported by the embedded engine',
      );
    }
    return punycodeEncode(text) ?? '';
  },
  punycode_to_string: (value) => (typeof value === 'string' ? (punycodeDecode(value) ?? '') : ''),
};

export const PUNYCODE_JS_FUNCTIONS: readonly JsScalarFunction[] = jsScalarFunctions(
  PUNYCODE_FUNCTION_RESULTS,
  {
    punycode_from_string: (args) => CALLS.punycode_from_string(args[0]),
    punycode_to_string: (args) => CALLS.punycode_to_string(args[0]),
  },
);
