// Python string formatting: str.format() with the format-spec mini-language, and `%` formatting.
import { pyError } from './errors.js';
import type { Runtime } from './runtime.js';
import { PyTuple, floatRepr, isFloat, isInt, isMapping, mappingGet, num, pyRepr, pyStr, pyTypeName } from './values.js';

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number;
  type: string;
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su;

function parseSpec(spec: string): Spec {
  const m = SPEC_RE.exec(spec);
  if (!m) throw pyError('ValueError', 'Invalid format specifier');
  return {
    fill: m[1] ?? (m[6] && !m[2] ? '0' : ' '),
    align: m[2] ?? (m[6] ? '=' : ''),
    sign: m[3] ?? '-',
    alt: Boolean(m[5]),
    zero: Boolean(m[6]),
    width: m[7] ? Number(m[7]) : 0,
    grouping: m[8] ?? '',
    precision: m[9] !== undefined ? Number(m[9]) : -1,
    type: m[10] ?? '',
  };
}

function group(intPart: string, sep: string, every = 3): string {
  if (!sep) return intPart;
  let out = '';
  for (let i = 0; i < intPart.length; i++) {
    if (i > 0 && (intPart.length - i) % every === 0) out += sep;
    out += intPart[i];
  }
  return out;
}

function padTo(body: string, sign: string, spec: Spec, defaultAlign: string): string {
  const len = [...body].length + sign.length;
  const align = spec.align || defaultAlign;
  if (spec.width <= len) return sign + body;
  const n = spec.width - len;
  const f = spec.fill;
  switch (align) {
    case '<':
      return sign + body + f.repeat(n);
    case '>':
      return f.repeat(n) + sign + body;
    case '^':
      return f.repeat(Math.floor(n / 2)) + sign + body + f.repeat(n - Math.floor(n / 2));
    default:
      return sign + f.repeat(n) + body;
  }
}

/** Python's 'e' formatting with `prec` digits after the point. */
export function formatExp(x: number, prec: number, upper = false): string {
  const s = x.toExponential(prec);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s)!;
  const e = m[3].length < 2 ? '0' + m[3] : m[3];
  const r = `${m[1]}e${m[2]}${e}`;
  return upper ? r.toUpperCase() : r;
}

/** Python's fixed-point formatting, exact for large values. */
export function formatFixed(x: number, prec: number): string {
  if (Math.abs(x) < 1e21) {
    if (prec > 70) return x.toFixed(prec);
    // toFixed breaks exact ties upwards; Python rounds them to even
    const exact = Math.abs(x).toFixed(prec + 30);
    const cut = exact.length - 30;
    const rest = exact.slice(cut);
    if (rest[0] !== '5' || /[1-9]/.test(rest.slice(1))) return x.toFixed(prec);
    const kept = exact.slice(0, cut).replace(/\.$/, '');
    const lastDigit = Number(kept[kept.length - 1]);
    if (lastDigit % 2 === 0) return (x < 0 ? '-' : '') + kept;
    return x.toFixed(prec);
  }
  const intPart = BigInt(Math.trunc(x)).toString();
  return prec > 0 ? intPart + '.' + '0'.repeat(prec) : intPart;
}

function formatGeneral(x: number, prec0: number, alt: boolean, upper: boolean): string {
  const prec = prec0 === 0 ? 1 : prec0;
  if (x === 0) return alt ? '0.' + '0'.repeat(prec - 1) : Object.is(x, -0) ? '-0' : '0';
  const exp = Number(x.toExponential(prec - 1).split('e')[1]);
  let s: string;
  if (exp >= -4 && exp < prec) s = formatFixed(x, prec - 1 - exp);
  else s = formatExp(x, prec - 1, upper);
  if (!alt) {
    if (s.includes('e') || s.includes('E')) s = s.replace(/\.?0+(?=[eE])/, '');
    else if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return s;
}

function formatNumber(value: unknown, spec: Spec): string {
  let type = spec.type;
  const intLike = isInt(value) || typeof value === 'boolean';
  if (!intLike && 'bcdoxX'.includes(type) && type !== '')
    throw pyError('ValueError', `Unknown format code '${type}' for object of type '${pyTypeName(value)}'`);
  let body: string;
  let negative: boolean;
  if (intLike && (type === '' || 'bcdoxXn'.includes(type))) {
    let n = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value as number | bigint);
    negative = n < 0n;
    if (negative) n = -n;
    switch (type) {
      case 'b':
        body = n.toString(2);
        if (spec.alt) body = '0b' + body;
        break;
      case 'o':
        body = n.toString(8);
        if (spec.alt) body = '0o' + body;
        break;
      case 'x':
      case 'X':
        body = n.toString(16);
        if (type === 'X') body = body.toUpperCase();
        if (spec.alt) body = (type === 'X' ? '0X' : '0x') + body;
        break;
      case 'c':
        body = String.fromCodePoint(Number(n));
        break;
      default:
        body = group(n.toString(), spec.grouping);
    }
  } else {
    const x = num(value);
    negative = x < 0 || Object.is(x, -0);
    const ax = Math.abs(x);
    if (type === '' && !intLike && spec.precision < 0) {
      body = floatRepr(ax);
    } else {
      if (type === '') type = intLike ? 'd' : '';
      const prec = spec.precision < 0 ? 6 : spec.precision;
      if (!Number.isFinite(ax)) body = Number.isNaN(ax) ? 'nan' : 'inf';
      else
        switch (type) {
          case 'e':
          case 'E':
            body = formatExp(ax, prec, type === 'E');
            break;
          case 'f':
          case 'F':
            body = formatFixed(ax, prec);
            break;
          case '%':
            body = formatFixed(ax * 100, prec) + '%';
            break;
          case 'g':
          case 'G':
          case 'n':
            body = formatGeneral(ax, prec, spec.alt, type === 'G');
            break;
          default: {
            // no type with a precision: like 'g' but keeps at least one fractional digit
            body = formatGeneral(ax, spec.precision < 0 ? 17 : spec.precision, false, false);
            if (/^\d+$/.test(body)) body += '.0';
          }
        }
      if ((type === 'F' || type === 'E' || type === 'G') && !Number.isFinite(ax)) body = body.toUpperCase();
      if (spec.grouping && Number.isFinite(ax)) {
        const [i, frac] = body.split('.');
        body = group(i, spec.grouping) + (frac !== undefined ? '.' + frac : '');
      }
    }
  }
  const sign = negative ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
  if (spec.zero && spec.align === '=' && spec.grouping && spec.fill === '0') {
    // zero padding also gets grouped: keep it simple, pad then regroup
    const width = spec.width - sign.length;
    const [i, frac] = body.split('.');
    let digits = i.replace(/[,_]/g, '');
    const fracLen = frac !== undefined ? frac.length + 1 : 0;
    while (group(digits, spec.grouping).length + fracLen < width) digits = '0' + digits;
    return sign + group(digits, spec.grouping) + (frac !== undefined ? '.' + frac : '');
  }
  return padTo(body, sign, spec, '>');
}

/** format(value, spec) as Python does for str, int, float, None. */
export function formatValue(value: unknown, specText: string): string {
  if (specText === '') return pyStr(value);
  const spec = parseSpec(specText);
  if (typeof value === 'string' || value === null || value === undefined || Array.isArray(value) || isMapping(value)) {
    if (typeof value !== 'string' && specText !== '') throw pyError('TypeError', `unsupported format string passed to ${pyTypeName(value)}.__format__`);
    if (spec.type && spec.type !== 's') throw pyError('ValueError', `Unknown format code '${spec.type}' for object of type 'str'`);
    if (spec.sign !== '-' || spec.align === '=') throw pyError('ValueError', 'Sign not allowed in string format specifier');
    let s = value as string;
    if (spec.precision >= 0) s = [...s].slice(0, spec.precision).join('');
    return padTo(s, '', spec, '<');
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || isFloat(value)) {
    // bool formats as the int it is once there is a spec
    const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    const intLike = isInt(n);
    if (spec.type === 's' || (spec.type && !'bcdeEfFgGnosxX%'.includes(spec.type)))
      throw pyError('ValueError', `Unknown format code '${spec.type}' for object of type '${pyTypeName(value)}'`);
    if (intLike && spec.precision >= 0 && (spec.type === '' || 'bcdoxXn'.includes(spec.type)))
      throw pyError('ValueError', 'Precision not allowed in integer format specifier');
    return formatNumber(n, spec);
  }
  return padTo(pyStr(value), '', spec, '<');
}

/** str.format(*args, **kwargs). */
export function strFormat(rt: Runtime, template: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let out = '';
  let auto = 0;
  let i = 0;
  const n = template.length;
  while (i < n) {
    const c = template[i];
    if (c === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      // find the matching close brace, allowing one level of nested fields in the spec
      let depth = 1;
      let j = i + 1;
      while (j < n && depth > 0) {
        if (template[j] === '{') depth++;
        else if (template[j] === '}') depth--;
        if (depth > 0) j++;
      }
      if (j >= n) throw pyError('ValueError', "expected '}' before end of string");
      const field = template.slice(i + 1, j);
      out += renderField(rt, field, args, kwargs, () => auto++);
      i = j + 1;
      continue;
    }
    if (c === '}') {
      if (template[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw pyError('ValueError', "Single '}' encountered in format string");
    }
    out += c;
    i++;
  }
  return out;
}

function renderField(rt: Runtime, field: string, args: unknown[], kwargs: Record<string, unknown>, nextAuto: () => number): string {
  let specStart = -1;
  let bracket = false;
  for (let k = 0; k < field.length; k++) {
    if (field[k] === '[') bracket = true;
    else if (field[k] === ']') bracket = false;
    else if (field[k] === ':' && !bracket) {
      specStart = k;
      break;
    }
  }
  let head = specStart >= 0 ? field.slice(0, specStart) : field;
  let spec = specStart >= 0 ? field.slice(specStart + 1) : '';
  let conversion = '';
  const bang = head.lastIndexOf('!');
  if (bang >= 0 && !head.slice(bang).includes(']')) {
    conversion = head.slice(bang + 1);
    head = head.slice(0, bang);
  }
  if (spec.includes('{')) spec = strFormat(rt, spec, args, kwargs);
  const m = /^([^.[]*)(.*)$/s.exec(head)!;
  const first = m[1];
  let value: unknown;
  if (first === '') {
    const idx = nextAuto();
    if (idx >= args.length) throw pyError('IndexError', `Replacement index ${idx} out of range for positional args tuple`);
    value = args[idx];
  } else if (/^\d+$/.test(first)) {
    const idx = Number(first);
    if (idx >= args.length) throw pyError('IndexError', `Replacement index ${idx} out of range for positional args tuple`);
    value = args[idx];
  } else {
    if (!Object.prototype.hasOwnProperty.call(kwargs, first) && !(isMapping(kwargs) && mappingGet(kwargs, first) !== undefined))
      throw pyError('KeyError', `'${first}'`);
    value = Object.prototype.hasOwnProperty.call(kwargs, first) ? kwargs[first] : mappingGet(kwargs, first);
  }
  const rest = m[2];
  const accessRe = /\.([^.[]+)|\[([^\]]+)\]/gy;
  let am: RegExpExecArray | null;
  while (rest && (am = accessRe.exec(rest)) !== null) {
    if (am[1] !== undefined) value = rt.getattr(value, am[1]);
    else value = rt.getitem(value, /^\d+$/.test(am[2]) ? Number(am[2]) : am[2]);
  }
  if (conversion === 'r' || conversion === 'a') value = pyRepr(value);
  else if (conversion === 's') value = pyStr(value);
  else if (conversion !== '') throw pyError('ValueError', `Unknown conversion specifier ${conversion}`);
  return formatValue(value, spec);
}

// ---- printf-style ----

const PERCENT_RE = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

export function percentFormat(template: string, values: unknown, rt: Runtime): string {
  const useMapping = isMapping(values) && !(values instanceof PyTuple);
  const list: unknown[] = values instanceof PyTuple ? [...values] : [values];
  let idx = 0;
  let usedMapping = false;
  const nextValue = (): unknown => {
    if (idx >= list.length) throw pyError('TypeError', 'not enough arguments for format string');
    return list[idx++];
  };
  let out = '';
  let last = 0;
  PERCENT_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PERCENT_RE.exec(template)) !== null) {
    out += template.slice(last, m.index);
    last = PERCENT_RE.lastIndex;
    const [, key, flags, widthText, precText, type] = m;
    if (type === '%' && key === undefined && !flags && !widthText && !precText) {
      out += '%';
      continue;
    }
    let value: unknown;
    const width = widthText === '*' ? Number(nextValue()) : widthText ? Number(widthText) : 0;
    const precision = precText === '*' ? Number(nextValue()) : precText !== undefined ? Number(precText) : -1;
    if (key !== undefined) {
      if (!useMapping) throw pyError('TypeError', 'format requires a mapping');
      usedMapping = true;
      const v = mappingGet(values, key);
      if (v === undefined) throw pyError('KeyError', `'${key}'`);
      value = v;
    } else value = useMapping && !(values instanceof PyTuple) ? (idx++ === 0 ? values : nextValue()) : nextValue();
    out += formatPercentOne(value, flags, width, precision, type, rt);
  }
  out += template.slice(last);
  if (!useMapping && idx < list.length) throw pyError('TypeError', 'not all arguments converted during string formatting');
  void usedMapping;
  return out;
}

function formatPercentOne(value: unknown, flags: string, width: number, precision: number, type: string, rt: Runtime): string {
  const left = flags.includes('-');
  const zero = flags.includes('0') && !left;
  const plus = flags.includes('+');
  const space = flags.includes(' ');
  const alt = flags.includes('#');
  let body: string;
  let numeric = false;
  let negative = false;
  switch (type) {
    case 's':
      body = rt.str(value);
      if (precision >= 0) body = body.slice(0, precision);
      break;
    case 'r':
    case 'a':
      body = pyRepr(value);
      if (precision >= 0) body = body.slice(0, precision);
      break;
    case 'c':
      body = typeof value === 'string' ? value : String.fromCodePoint(Number(value));
      break;
    case '%':
      body = '%';
      break;
    default: {
      if (!(typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || isFloat(value)))
        throw pyError('TypeError', `%${type} format: a real number is required, not ${pyTypeName(value)}`);
      numeric = true;
      const x = num(value);
      negative = x < 0 || (Object.is(x, -0) && 'eEfFgG'.includes(type));
      if ('diu'.includes(type)) {
        const n = typeof value === 'bigint' ? value : BigInt(Math.trunc(x));
        body = (n < 0n ? -n : n).toString();
        if (precision >= 0) body = body.padStart(precision, '0');
      } else if ('oxX'.includes(type)) {
        if (!isInt(value) && typeof value !== 'boolean') throw pyError('TypeError', `%${type} format: an integer is required, not ${pyTypeName(value)}`);
        const n = BigInt(value as number);
        const a = n < 0n ? -n : n;
        body = type === 'o' ? a.toString(8) : a.toString(16);
        if (type === 'X') body = body.toUpperCase();
        if (alt) body = (type === 'o' ? '0o' : type === 'x' ? '0x' : '0X') + body;
      } else {
        const ax = Math.abs(x);
        const prec = precision < 0 ? 6 : precision;
        if (!Number.isFinite(ax)) body = Number.isNaN(ax) ? 'nan' : 'inf';
        else if (type === 'e' || type === 'E') body = formatExp(ax, prec, type === 'E');
        else if (type === 'f' || type === 'F') body = formatFixed(ax, prec);
        else body = formatGeneral(ax, prec, alt, type === 'G');
        if (type === type.toUpperCase() && !Number.isFinite(ax)) body = body.toUpperCase();
      }
    }
  }
  const sign = numeric ? (negative ? '-' : plus ? '+' : space ? ' ' : '') : '';
  const len = body.length + sign.length;
  if (width <= len) return sign + body;
  if (left) return sign + body + ' '.repeat(width - len);
  if (zero && numeric) return sign + '0'.repeat(width - len) + body;
  return ' '.repeat(width - len) + sign + body;
}
