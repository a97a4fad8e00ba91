import { splitArgs } from './kwargs.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The slice of Python's `datetime.datetime` templates use: `run_started_at`,
 * `modules.datetime.datetime.now()`, `strftime`, `isoformat`, the fields.
 * Values are UTC.
 */
export class PyDateTime {
  constructor(
    private readonly at: Date,
    /** Prints with `+00:00` like an aware datetime (run_started_at is tz-aware in dbt). */
    private readonly aware = false,
  ) {}

  get year(): number {
    return this.at.getUTCFullYear();
  }
  get month(): number {
    return this.at.getUTCMonth() + 1;
  }
  get day(): number {
    return this.at.getUTCDate();
  }
  get hour(): number {
    return this.at.getUTCHours();
  }
  get minute(): number {
    return this.at.getUTCMinutes();
  }
  get second(): number {
    return this.at.getUTCSeconds();
  }
  get microsecond(): number {
    return this.at.getUTCMilliseconds() * 1000;
  }

  strftime(format: unknown): string {
    return String(format).replace(/%([a-zA-Z%])/g, (whole, code: string) => {
      switch (code) {
        case 'Y': return String(this.year);
        case 'y': return pad(this.year % 100);
        case 'm': return pad(this.month);
        case 'd': return pad(this.day);
        case 'H': return pad(this.hour);
        case 'I': return pad(this.hour % 12 === 0 ? 12 : this.hour % 12);
        case 'p': return this.hour < 12 ? 'AM' : 'PM';
        case 'M': return pad(this.minute);
        case 'S': return pad(this.second);
        case 'f': return pad(this.microsecond, 6);
        case 'j': return pad(dayOfYear(this.at), 3);
        case 'A': return DAYS[this.at.getUTCDay()];
        case 'a': return DAYS[this.at.getUTCDay()].slice(0, 3);
        case 'B': return MONTHS[this.month - 1];
        case 'b': return MONTHS[this.month - 1].slice(0, 3);
        case 'z': return this.aware ? '+0000' : '';
        case 'Z': return this.aware ? 'UTC' : '';
        case '%': return '%';
        default: return whole;
      }
    });
  }

  isoformat(...args: unknown[]): string {
    const sep = String(splitArgs(args).positional[0] ?? 'T');
    const micro = this.microsecond ? `.${pad(this.microsecond, 6)}` : '';
    return `${this.year}-${pad(this.month)}-${pad(this.day)}${sep}${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${micro}${this.aware ? '+00:00' : ''}`;
  }

  date(): PyDate {
    return new PyDate(this.at);
  }

  timestamp(): number {
    return this.at.getTime() / 1000;
  }

  toString(): string {
    return this.isoformat(' ');
  }
}

export class PyDate {
  constructor(private readonly at: Date) {}
  get year(): number {
    return this.at.getUTCFullYear();
  }
  get month(): number {
    return this.at.getUTCMonth() + 1;
  }
  get day(): number {
    return this.at.getUTCDate();
  }
  strftime(format: unknown): string {
    return new PyDateTime(this.at).strftime(format);
  }
  isoformat(): string {
    return `${this.year}-${pad(this.month)}-${pad(this.day)}`;
  }
  toString(): string {
    return this.isoformat();
  }
}

function dayOfYear(at: Date): number {
  return Math.floor((Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) - Date.UTC(at.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** `modules.datetime`: `datetime.datetime.now()`, `datetime.date.today()`. */
export const datetimeModule = {
  datetime: {
    now: () => new PyDateTime(new Date()),
    utcnow: () => new PyDateTime(new Date()),
    fromisoformat: (text: unknown) => new PyDateTime(new Date(String(text).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(String(text)) ? '' : 'Z'))),
  },
  date: {
    today: () => new PyDate(new Date()),
  },
};
