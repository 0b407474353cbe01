// A small strict XML reader for the JUnit reports (no XML parser is installed): elements, attributes,
// text, the XML declaration; it throws on anything not well-formed (unclosed or crossed tags, a bare & or <,
// an unquoted or repeated attribute, characters XML 1.0 forbids), so a test that reads a report proves it parses.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) throw new Error('a character XML 1.0 forbids');
  if (text.includes('<')) throw new Error('a bare < in text');
  return text.replace(/&([^;]*);?/g, (whole, name: string) => {
    const value = ENTITIES[name];
    if (value === undefined || !whole.endsWith(';')) throw new Error(`a bare & or unknown entity: ${whole}`);
    return value;
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('unclosed declaration');
    i = end + 2;
  }
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    const top = stack[stack.length - 1] as XmlElement;
    if (top === root && text.trim() !== '') throw new Error('text outside the root element');
    top.text += decode(text);
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) throw new Error('unclosed tag');
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open === root || open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes ${open?.name}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    let rest = selfClosing ? tag.slice(0, -1) : tag;
    const name = NAME.exec(rest)?.[0];
    if (!name) throw new Error(`bad tag <${tag}>`);
    rest = rest.slice(name.length);
    const attributes: Record<string, string> = {};
    for (;;) {
      rest = rest.replace(/^\s+/, '');
      if (rest === '') break;
      const m = /^([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(rest);
      if (!m) throw new Error(`bad attribute in <${tag}>`);
      const [whole, key, value] = m as unknown as [string, string, string];
      if (key in attributes) throw new Error(`repeated attribute ${key}`);
      attributes[key] = decode(value);
      rest = rest.slice(whole.length);
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (top === root && root.children.length > 0) throw new Error('a second root element');
    top.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  const [doc] = root.children;
  if (!doc) throw new Error('no root element');
  return doc;
}

/** Every element named `name` below `from`. */
export function all(from: XmlElement, name: string): XmlElement[] {
  return from.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}

/** The counts CI reads from a JUnit report, checked against the testcases themselves. */
export function junitCounts(xml: string): { tests: number; failures: number; skipped: number; names: string[]; failing: string[] } {
  const doc = parseXml(xml);
  if (doc.name !== 'testsuites') throw new Error(`root is <${doc.name}>`);
  const cases = all(doc, 'testcase');
  const failing = cases.filter((c) => all(c, 'failure').length > 0);
  const skipped = cases.filter((c) => all(c, 'skipped').length > 0);
  const suites = all(doc, 'testsuite');
  const sum = (key: string) => suites.reduce((n, s) => n + Number(s.attributes[key]), 0);
  if (sum('tests') !== cases.length || sum('failures') !== failing.length || sum('skipped') !== skipped.length) throw new Error('the suite counts do not match the testcases');
  if (Number(doc.attributes['tests']) !== cases.length || Number(doc.attributes['failures']) !== failing.length) throw new Error('the testsuites counts do not match the testcases');
  return {
    tests: cases.length,
    failures: failing.length,
    skipped: skipped.length,
    names: cases.map((c) => c.attributes['name'] ?? ''),
    failing: failing.map((c) => c.attributes['name'] ?? ''),
  };
}
