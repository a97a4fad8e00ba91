import type { ColumnMeta, Connection, ExtractSink, ExtractStats, QueryOptions, RowBatch } from '../contract.js';
import { CsvWriter } from '../csv.js';
import { isTextLikeKind } from '../types.js';
import { valueToText } from '../values.js';

/** Writes `data` to `stream` and, when the stream is full, waits for it to drain (or fail). */
export function writeWithBackpressure(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  if (stream.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (e: Error) => {
      stream.off('drain', onDrain);
      reject(e);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/**
 * The extraction every adapter gets: streams the rows of `sql` and writes them
 * as CSV in the sink's spec, honouring the sink's backpressure. The sink
 * stream is left open (the caller owns it). Values are written in the text
 * forms documented on `Value`.
 */
export async function streamExtract(connection: Pick<Connection, 'stream'>, sql: string, sink: ExtractSink, opts: QueryOptions = {}): Promise<ExtractStats> {
  let columns: ColumnMeta[] | undefined;
  let writer: CsvWriter | undefined;
  let rows = 0;
  const start = async (batch: RowBatch) => {
    columns = batch.columns;
    writer = new CsvWriter(sink.csv, { textColumns: columns.map((c) => isTextLikeKind(c.type)) });
    const header = writer.header(columns.map((c) => c.name));
    if (header) await writeWithBackpressure(sink.stream, header);
  };
  for await (const batch of connection.stream(sql, [], { signal: opts.signal })) {
    if (!writer) await start(batch);
    let chunk = '';
    for (const row of batch.rows) chunk += writer!.row(row.map((v) => (v === null ? null : valueToText(v))));
    rows += batch.rows.length;
    if (chunk) await writeWithBackpressure(sink.stream, chunk);
  }
  return { rows, columns: columns ?? [] };
}
