import { builder } from '../builder.ts';
import { requirePrincipal } from '../principal.ts';
import { ViewerRef } from '../types/viewer.ts';

builder.queryField('viewer', (t) =>
  t.field({ type: ViewerRef, description: 'The caller, as their token describes them.', resolve: (_root, _args, context) => requirePrincipal(context) }),
);
