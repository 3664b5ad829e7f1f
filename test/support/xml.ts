/**
 * A small, strict XML 1.0 well-formedness parser for tests (no DTDs): one root element, matched
 * tags, quoted and unique attributes, no raw '<' or stray '&' in text or values, only the five
 * predefined entities and character references. Throws with the offset of the first problem.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAME = /[A-Za-z_:][A-Za-z0-9._:-]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlError extends Error {}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new XmlError(`${msg} at offset ${i}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  const decode = (raw: string, where: string): string =>
    raw.replace(/&([^;]*);?/g, (m, body: string) => {
      if (!m.endsWith(';')) fail(`unterminated reference in ${where}`);
      if (body in ENTITIES) return ENTITIES[body]!;
      const num = /^#x([0-9a-fA-F]+)$/.exec(body) ?? /^#([0-9]+)$/.exec(body);
      if (!num) fail(`unknown entity &${body}; in ${where}`);
      return String.fromCodePoint(parseInt(num![1]!, body.startsWith('#x') ? 16 : 10));
    });
  const misc = () => {
    for (;;) {
      ws();
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i + 2);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail("expected '<'");
    i++;
    const tag = name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = i;
      ws();
      if (src.startsWith('/>', i)) {
        i += 2;
        return { name: tag, attrs, children: [] };
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected whitespace before an attribute');
      const a = name();
      if (a in attrs) fail(`duplicate attribute '${a}'`);
      ws();
      if (src[i] !== '=') fail("expected '='");
      i++;
      ws();
      const q = src[i];
      if (q !== '"' && q !== "'") fail('expected a quoted attribute value');
      const end = src.indexOf(q!, i + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail(`'<' in the value of '${a}'`);
      attrs[a] = decode(raw, `attribute '${a}'`);
      i = end + 1;
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (i >= src.length) fail(`unclosed <${tag}>`);
      if (src.startsWith('</', i)) {
        i += 2;
        const close = name();
        if (close !== tag) fail(`</${close}> closes <${tag}>`);
        ws();
        if (src[i] !== '>') fail("expected '>'");
        i++;
        return { name: tag, attrs, children };
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        children.push(src.slice(i + 9, end));
        i = end + 3;
      } else if (src[i] === '<') children.push(element());
      else {
        const end = src.indexOf('<', i);
        const raw = src.slice(i, end < 0 ? src.length : end);
        if (raw.includes(']]>')) fail("']]>' in text");
        children.push(decode(raw, `<${tag}> text`));
        i += raw.length;
      }
    }
  };
  misc();
  const root = element();
  misc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

/** All elements below `e` (depth first, `e` included) that satisfy `pred`. */
export function findAll(e: XmlElement, pred: (x: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = pred(e) ? [e] : [];
  for (const c of e.children) if (typeof c !== 'string') out.push(...findAll(c, pred));
  return out;
}

/** The concatenated text inside `e`. */
export function textOf(e: XmlElement): string {
  return e.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** True when the element's class attribute has `cls` as one of its words. */
export function hasClass(e: XmlElement, cls: string): boolean {
  return (e.attrs.class ?? '').split(/\s+/).includes(cls);
}
