import { XMLParser } from 'fast-xml-parser';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/**
 * One element of a reply, with namespace prefixes resolved away: vCenter and the simulator pick their own prefixes
 * (soapenv, xsi, XMLSchema-instance, vim25), so names are compared by local name and xsi:type is kept apart from the
 * `type` attribute a ManagedObjectReference carries. Children stay in document order, so a device read from the
 * server can be sent back whole (the server refuses a partial one).
 */
export interface XmlNode {
  name: string;
  /** The xsi:type, prefix removed (e.g. VirtualDisk); null when the element has none. */
  xsiType: string | null;
  /** Attributes without namespace (xmlns declarations and xsi:* removed). */
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

/** A fragment of XML already escaped: what the builders below compose. */
export interface Xml {
  readonly xml: string;
}

export type XmlContent = string | number | boolean | Xml | readonly (Xml | null | undefined)[] | null | undefined;

const escape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const isXml = (value: unknown): value is Xml => typeof value === 'object' && value !== null && 'xml' in value;

/** `<name xsi:type="…">content</name>`; text is escaped, fragments are not; null or undefined content: nothing at all. */
export function el(name: string, content: XmlContent, xsiType?: string): Xml {
  if (content === null || content === undefined) return { xml: '' };
  const type = xsiType === undefined ? '' : ` xsi:type="${escape(xsiType)}"`;
  let inner: string;
  if (Array.isArray(content)) inner = content.map((part) => part?.xml ?? '').join('');
  else if (isXml(content)) inner = content.xml;
  else inner = escape(String(content));
  return { xml: `<${name}${type}>${inner}</${name}>` };
}

/** The same element repeated once per value (how SOAP encodes an array). */
export const each = (name: string, values: readonly string[]): Xml => ({ xml: values.map((v) => el(name, v).xml).join('') });

export interface MoRef {
  type: string;
  value: string;
}

export const moRefXml = (name: string, ref: MoRef): Xml => ({
  xml: `<${name} type="${escape(ref.type)}">${escape(ref.value)}</${name}>`,
});

/**
 * A node read from a reply, written back as `name` (its attributes, xsi:type and children as they were), with the
 * direct children named in `replace` written as given instead.
 */
export function nodeXml(name: string, node: XmlNode, replace: Readonly<Record<string, Xml>> = {}): Xml {
  const attrs = Object.entries(node.attrs)
    .map(([key, value]) => ` ${key}="${escape(value)}"`)
    .join('');
  const type = node.xsiType === null ? '' : ` xsi:type="${escape(node.xsiType)}"`;
  const inner =
    node.children.length > 0
      ? node.children.map((c) => (Object.hasOwn(replace, c.name) ? replace[c.name]?.xml : nodeXml(c.name, c).xml)).join('')
      : escape(node.text);
  return { xml: `<${name}${type}${attrs}>${inner}</${name}>` };
}

/** A vim25 request: the method element in the urn:vim25 namespace, with xsi declared for polymorphic values. */
export function envelope(method: string, body: readonly (Xml | null | undefined)[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="${XSI}">` +
    `<soapenv:Body><${method} xmlns="urn:vim25">${body.map((b) => b?.xml ?? '').join('')}</${method}></soapenv:Body>` +
    '</soapenv:Envelope>'
  );
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const local = (name: string): string => name.slice(name.indexOf(':') + 1);

function convert(entry: Ordered, scope: Map<string, string>): XmlNode | null {
  const name = Object.keys(entry).find((key) => key !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?')) return null;
  const rawAttrs = entry[':@'] ?? {};
  const inner = new Map(scope);
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === 'xmlns') inner.set('', value);
    else if (key.startsWith('xmlns:')) inner.set(key.slice(6), value);
  }
  let xsiType: string | null = null;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
    const colon = key.indexOf(':');
    if (colon < 0) {
      attrs[key] = value;
      continue;
    }
    if (inner.get(key.slice(0, colon)) === XSI && local(key) === 'type') xsiType = local(value);
  }
  const content = (entry[name] ?? []) as Ordered[];
  const children: XmlNode[] = [];
  let text = '';
  for (const child of content) {
    if ('#text' in child) text += String(child['#text']);
    else {
      const node = convert(child, inner);
      if (node) children.push(node);
    }
  }
  return { name: local(name), xsiType, attrs, text: children.length > 0 ? '' : text, children };
}

/** The document's root element (Envelope for SOAP). Throws on malformed XML. */
export function parseXml(xml: string): XmlNode {
  const doc = parser.parse(xml) as Ordered[];
  for (const entry of doc) {
    const node = convert(entry, new Map());
    if (node) return node;
  }
  throw new Error('the reply holds no XML element');
}

export const child = (node: XmlNode | null | undefined, name: string): XmlNode | null =>
  node?.children.find((c) => c.name === name) ?? null;

export const childrenNamed = (node: XmlNode | null | undefined, name: string): XmlNode[] =>
  node?.children.filter((c) => c.name === name) ?? [];

/** The text of `node`'s child `name` ("" when absent). */
export const textOf = (node: XmlNode | null | undefined, name: string): string => child(node, name)?.text ?? '';

/** A ManagedObjectReference element's value as a MoRef. */
export const toMoRef = (node: XmlNode): MoRef => ({ type: node.attrs.type ?? '', value: node.text });

/** Follows a path of child names (a.b.c). */
export function pathOf(node: XmlNode | null | undefined, path: string): XmlNode | null {
  let current: XmlNode | null = node ?? null;
  for (const part of path.split('.')) current = child(current, part);
  return current;
}
