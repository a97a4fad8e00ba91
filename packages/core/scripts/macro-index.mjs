// Writes dist/builtin-macros.json, the index of the builtin macros the compiler registers without
// parsing their files (src/compile/macro-index.ts). Run by the build after tsc, from the package
// directory; it parses with the compiled modules, so the index is what the compiler would read.
import { writeFileSync } from 'node:fs';
import { compilerEnvironment } from '../dist/compile/compiler.js';
import { buildMacroIndex } from '../dist/compile/macro-index.js';
import { builtinMacroFiles, builtinMacroIndexPath } from '../dist/compile/sources.js';

const index = buildMacroIndex(compilerEnvironment(), builtinMacroFiles());
writeFileSync(builtinMacroIndexPath(), `${JSON.stringify(index)}\n`);
