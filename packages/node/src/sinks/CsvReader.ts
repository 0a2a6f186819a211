/**
 * A small RFC 4180 reader: quoted fields with commas, doubled quotes and
 * line breaks; CRLF or LF between records. Incremental, so a large file
 * streams through in chunks. Used to read ids back for the verify pass.
 */

/** Feeds text in chunks; each `push` answers the records completed so far. */
export interface CsvParser {
  readonly push: (chunk: string) => Array<Array<string>>
  /** The last record, when the text does not end with a line break. */
  readonly end: () => Array<Array<string>>
}

export const makeParser = (): CsvParser => {
  let field = ""
  let record: Array<string> = []
  let quoted = false
  /** Inside quotes, a `"` just seen: either the closing quote or the first of a doubled one. */
  let quotePending = false
  /** Right after a `\r` outside quotes. */
  let afterCr = false
  let started = false

  const endRecord = (out: Array<Array<string>>) => {
    record.push(field)
    out.push(record)
    record = []
    field = ""
    started = false
  }

  const push = (chunk: string) => {
    const out: Array<Array<string>> = []
    for (const char of chunk) {
      if (afterCr) {
        afterCr = false
        if (char === "\n") continue
      }
      if (quoted) {
        if (quotePending) {
          quotePending = false
          if (char === "\"") {
            field += "\""
            continue
          }
          quoted = false
          // fall through: the character after a closing quote
        } else if (char === "\"") {
          quotePending = true
          continue
        } else {
          field += char
          continue
        }
      }
      if (char === "\"" && field === "") {
        quoted = true
        started = true
      } else if (char === ",") {
        record.push(field)
        field = ""
        started = true
      } else if (char === "\r" || char === "\n") {
        afterCr = char === "\r"
        endRecord(out)
      } else {
        field += char
        started = true
      }
    }
    return out
  }

  const end = () => {
    const out: Array<Array<string>> = []
    if (quotePending) quoted = false
    if (started || field !== "" || record.length > 0) endRecord(out)
    return out
  }

  return { push, end }
}

/** Every record of `text`. */
export const parse = (text: string): Array<Array<string>> => {
  const parser = makeParser()
  return [...parser.push(text), ...parser.end()]
}
