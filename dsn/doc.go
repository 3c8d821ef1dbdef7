// Package dsn parses Sentry DSNs and the credentials SDKs send with each
// request, following the rules of Relay, Sentry's ingestion server.
//
// A DSN names a Sentry project and the key that may write to it:
//
//	https://e12d836b15bb49d7bbf99e64295d995b@o1.ingest.sentry.io/42
//
// [Parse] reads one into a [DSN], whose methods build the endpoint URLs
// ([DSN.EnvelopeURL], [DSN.StoreURL], [DSN.OTLPTracesURL]) and the auth
// header an SDK sends ([DSN.Auth], [Auth.String]).
//
// The server side is the mirror image: [FromRequest] finds and checks the
// credentials of an ingest request in any of the places Relay accepts them,
// [FromEnvelopeHeader] falls back to the DSN inside an envelope, and
// [StatusCode] says which HTTP status Relay would answer a failure with.
//
// Parsing is deliberately as permissive as Relay's where Relay accepts input
// (string project ids, trailing slashes, any letter case in the scheme) and
// as strict where Relay rejects it, so that a DSN or request accepted here is
// one that Sentry accepts too. [DSN.ValidateRelay] applies Relay's
// additional rules for DSNs received as data. Every error is an [*Error]
// whose Kind is one of the package's sentinel errors.
package dsn
