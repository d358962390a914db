/**
 * Loads Microsoft's Kusto.Language (the C# parser and semantic analyzer, compiled to JavaScript with
 * Bridge.NET and published as `@kusto/language-service-next`).
 *
 * The package is not an ES module: its two scripts install the Bridge runtime and the `Kusto` namespace on
 * `globalThis`. We load them once through CommonJS `require` and hand out the typed namespace, so no other
 * module touches the global. The reference is preserved in the declaration output (`preserve`), so that packages
 * compiled against this one see the `Kusto` namespace that `kustoLanguage()` returns.
 */
/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" preserve="true" />
import { createRequire } from 'node:module';

type KustoLanguageNamespace = typeof Kusto.Language;

let loaded: KustoLanguageNamespace | undefined;

export function kustoLanguage(): KustoLanguageNamespace {
  if (loaded) {
    return loaded;
  }
  const require = createRequire(import.meta.url);
  // The minified builds are ~4x smaller than the debug builds and load correspondingly faster.
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const root = (globalThis as { Kusto?: { Language?: KustoLanguageNamespace } }).Kusto;
  if (!root?.Language) {
    throw new Error(
      'Kusto.Language failed to load: @kusto/language-service-next did not define globalThis.Kusto',
    );
  }
  loaded = root.Language;
  return loaded;
}
