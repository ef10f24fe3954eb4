import { isFault } from './faults.ts';
import type { CallContext, SoapClient } from './soap-client.ts';
import { child, childrenNamed, each, el, type MoRef, moRefXml, textOf, toMoRef, type Xml, type XmlNode } from './xml.ts';

/** One object's requested properties, by property path (e.g. "runtime.powerState"). */
export interface ObjectContent {
  obj: MoRef;
  props: Map<string, XmlNode>;
}

const PAGE_SIZE = 100;

/**
 * RetrievePropertiesEx, following the continuation token (ContinueRetrievePropertiesEx) until every page is read.
 */
export async function retrieve(client: SoapClient, specSet: Xml, ctx: CallContext): Promise<ObjectContent[]> {
  const { propertyCollector } = await client.connect(ctx);
  const objects: ObjectContent[] = [];
  let reply = await client.call('RetrievePropertiesEx', propertyCollector, [specSet, el('options', [el('maxObjects', PAGE_SIZE)])], ctx);
  for (;;) {
    const result = child(reply, 'returnval');
    for (const content of childrenNamed(result, 'objects')) objects.push(objectContent(content));
    const token = textOf(result, 'token');
    if (token === '') return objects;
    reply = await client.call('ContinueRetrievePropertiesEx', propertyCollector, [el('token', token)], ctx);
  }
}

function objectContent(node: XmlNode): ObjectContent {
  const props = new Map<string, XmlNode>();
  for (const prop of childrenNamed(node, 'propSet')) {
    const val = child(prop, 'val');
    if (val) props.set(textOf(prop, 'name'), val);
  }
  const obj = child(node, 'obj');
  return { obj: obj ? toMoRef(obj) : { type: '', value: '' }, props };
}

/** `paths` of one object; null when the object does not exist (deleted since its reference was read). */
export async function propertiesOf(
  client: SoapClient,
  ref: MoRef,
  paths: readonly string[],
  ctx: CallContext,
): Promise<Map<string, XmlNode> | null> {
  const spec = el('specSet', [
    el('propSet', [el('type', ref.type), each('pathSet', paths)]),
    el('objectSet', [moRefXml('obj', ref), el('skip', false)]),
  ]);
  try {
    const [content] = await retrieve(client, spec, ctx);
    return content?.props ?? null;
  } catch (error) {
    if (isFault(error, 'ManagedObjectNotFound')) return null;
    throw error;
  }
}

/**
 * Every object of `type` below `container` (recursively) with the given properties, through a container view that
 * is destroyed afterwards.
 */
export async function listInContainer(
  client: SoapClient,
  container: MoRef,
  type: string,
  paths: readonly string[],
  ctx: CallContext,
): Promise<ObjectContent[]> {
  const { viewManager } = await client.connect(ctx);
  const created = await client.call(
    'CreateContainerView',
    viewManager,
    [moRefXml('container', container), el('type', type), el('recursive', true)],
    ctx,
  );
  const viewNode = child(created, 'returnval');
  if (viewNode === null) return [];
  const view = toMoRef(viewNode);
  try {
    const spec = el('specSet', [
      el('propSet', [el('type', type), each('pathSet', paths)]),
      el('objectSet', [
        moRefXml('obj', view),
        el('skip', true),
        el('selectSet', [el('name', 'view'), el('type', 'ContainerView'), el('path', 'view'), el('skip', false)], 'TraversalSpec'),
      ]),
    ]);
    return await retrieve(client, spec, ctx);
  } finally {
    await client.call('DestroyView', view, [], ctx).catch(() => undefined);
  }
}

/** The objects of `type` below `container` named exactly `name`. */
export async function findByName(client: SoapClient, container: MoRef, type: string, name: string, ctx: CallContext): Promise<MoRef[]> {
  const all = await listInContainer(client, container, type, ['name'], ctx);
  return all.filter((o) => o.props.get('name')?.text === name).map((o) => o.obj);
}
