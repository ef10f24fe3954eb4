import { builder } from './builder.ts';

// Every root field needs a caller. The HTTP layer already refuses anonymous operations; this holds even if not.
builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });
builder.subscriptionType({ authScopes: { authenticated: true } });
