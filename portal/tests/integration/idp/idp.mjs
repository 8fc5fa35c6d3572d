// SPDX-License-Identifier: GPL-2.0
// A real OpenID Connect provider (npm oidc-provider) for fzportal's tests,
// on 127.0.0.1 only, with a freshly generated RS256 key each start. Prints
// one JSON line, {"issuer": ..., "port": ...}, on stdout when it serves.
//
//   node idp.mjs [--port N] [--issuer URL] [--kid KID] [--id-token-ttl S]
//                [--client-id ID] [--client-secret S] [--redirect-uri URI]...
//
// --issuer: the issuer to claim (default: its own http://127.0.0.1:PORT),
//   so that a test can have a second provider, with another key, speak
//   in the name of the first.
// --kid: the signing key's kid (default: random).
// --id-token-ttl: ttl.IdToken in seconds; negative for a token that is
//   already expired when it is issued.
// The client also comes from FZ_IDP_CLIENT_ID, FZ_IDP_CLIENT_SECRET and
// FZ_IDP_REDIRECT_URIS (space separated). A login name X signs in as sub
// X, email X@example.test (verified), name "User X".
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

function parseArgs(argv) {
	const o = {
		port: 0,
		issuer: null,
		kid: crypto.randomBytes(8).toString('hex'),
		idTokenTtl: 3600,
		clientId: process.env.FZ_IDP_CLIENT_ID || 'fzportal',
		clientSecret: process.env.FZ_IDP_CLIENT_SECRET || 'fzportal-secret',
		redirectUris: (process.env.FZ_IDP_REDIRECT_URIS || '').split(' ').filter(Boolean),
	};
	for (let i = 2; i < argv.length; i++) {
		const a = argv[i], v = argv[i + 1];
		if (v === undefined)
			throw new Error(`${a} needs a value`);
		i++;
		switch (a) {
		case '--port': o.port = Number(v); break;
		case '--issuer': o.issuer = v; break;
		case '--kid': o.kid = v; break;
		case '--id-token-ttl': o.idTokenTtl = Number(v); break;
		case '--client-id': o.clientId = v; break;
		case '--client-secret': o.clientSecret = v; break;
		case '--redirect-uri': o.redirectUris.push(v); break;
		default: throw new Error(`unknown option ${a}`);
		}
	}
	if (!o.redirectUris.length)
		o.redirectUris.push('http://127.0.0.1:9/auth/oidc/callback');
	return o;
}

function signingKey(kid) {
	const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

function config(o) {
	return {
		clients: [{
			client_id: o.clientId,
			client_secret: o.clientSecret,
			redirect_uris: o.redirectUris,
			response_types: ['code'],
			grant_types: ['authorization_code'],
			token_endpoint_auth_method: 'client_secret_basic',
		}],
		jwks: { keys: [signingKey(o.kid)] },
		pkce: { required: () => true, methods: ['S256'] },
		conformIdTokenClaims: false,
		claims: {
			openid: ['sub'],
			email: ['email', 'email_verified'],
			profile: ['name'],
		},
		cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
		// A function, as a negative number is refused as configuration.
		ttl: { IdToken: () => o.idTokenTtl },
		async findAccount(ctx, id) {
			return {
				accountId: id,
				async claims() {
					return { sub: id, email: `${id}@example.test`, email_verified: true, name: `User ${id}` };
				},
			};
		},
	};
}

const o = parseArgs(process.argv);
const server = http.createServer();
server.listen(o.port, '127.0.0.1', () => {
	const port = server.address().port;
	const issuer = o.issuer || `http://127.0.0.1:${port}`;
	const provider = new Provider(issuer, config(o));
	provider.on('server_error', (ctx, err) => console.error('server_error', err));
	server.on('request', provider.callback());
	process.stdout.write(JSON.stringify({ issuer, port }) + '\n');
});
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => server.close(() => process.exit(0)));
