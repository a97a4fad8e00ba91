// @dvt/jinja: a Jinja2 engine with Python semantics and dbt's dialect.
export {
  Environment,
  Template,
  bindMacro,
  callJinja,
  renderString,
  defaultEnvironment,
  type EnvironmentOptions,
  type MacroInfo,
  type BlockInfo,
  type HostFunction,
} from './environment.js';
export type { ContextLookup } from './runtime.js';
export type { StaticAnalysis, RefCall } from './static-analysis.js';
export { Undefined, type UndefinedMode } from './undefined.js';
export {
  JinjaError,
  TemplateSyntaxError,
  TemplateRuntimeError,
  UndefinedError,
  SecurityError,
  TemplateNotFound,
  MacroReturn,
} from './errors.js';
export {
  Kwargs,
  isKwargs,
  Namespace,
  PyDict,
  PyFloat,
  PySet,
  pySet,
  PyTuple,
  tuple,
  MAPPING_MARK,
  PY_OPERATORS,
  type PyOperator,
  isMapping,
  toJS,
  fromJS,
  pyRepr,
  pyStr,
  pyTypeName,
  Markup,
} from './values.js';
export { pyJsonDumps } from './filters.js';
/** Python's `+`, `==`, truthiness and number coercion, for hosts implementing Python functions over template values. */
export { add as pyAdd, eq as pyEquals, truthy as pyTruthy } from './ops.js';
export { num as pyNumber } from './values.js';

/** A template-level callable as JS sees it: positional args, then an optional trailing Kwargs. */
export type JinjaCallable = (...args: unknown[]) => unknown;
