// An ID-token-only relying party built from Debian's coreos/go-oidc (v2) and golang.org/x/oauth2,
// reading the ID token the way kube-apiserver's OIDC authenticator does
// (k8s.io/apiserver/plugin/pkg/authenticator/token/oidc): go-oidc verifies signature, issuer,
// audience (the client ID) and expiry with RS256 only, then the username claim must be a string and
// the groups claim a string or an array of strings. Nothing is read from userinfo.
//
// Driven by test/interop/go-oidc.test.ts over stdin/stdout, one JSON object per line:
//
//	go_oidc_rp <issuer> <client_id> <client_secret> <redirect_uri> <username_claim> <groups_claim> <scopes> [<key=value,…>]
//	→ {"authorization_url": …}      (the test's browser signs in there)
//	← the redirect_uri URL the browser reached (with code and state)
//	→ {"initial": <claims>, "refreshed": <claims>}   after the code exchange and one refresh
//
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o go_oidc_rp go_oidc_rp.go
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2"
)

// What kube-apiserver would make of one ID token.
type extracted struct {
	Subject  string   `json:"sub"`
	Audience []string `json:"aud"`
	Nonce    string   `json:"nonce,omitempty"`
	HasNonce bool     `json:"has_nonce"`
	IssuedAt int64    `json:"iat"`
	Username string   `json:"username,omitempty"`
	Groups   []string `json:"groups"`
	// Set where kube-apiserver would refuse the token (it answers 401), with its error text.
	ClaimsError string `json:"claims_error,omitempty"`
}

// claims and unmarshalClaim as in kube-apiserver's oidc.go.
type claims map[string]json.RawMessage

func (c claims) unmarshalClaim(name string, v interface{}) error {
	val, ok := c[name]
	if !ok {
		return fmt.Errorf("claim not present")
	}
	return json.Unmarshal([]byte(val), v)
}

// stringOrArray as in kube-apiserver: a groups claim may be one string or a list of them.
type stringOrArray []string

func (s *stringOrArray) UnmarshalJSON(b []byte) error {
	var a []string
	if err := json.Unmarshal(b, &a); err == nil {
		*s = a
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	*s = []string{str}
	return nil
}

func random() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go_oidc_rp: "+format+"\n", args...)
	os.Exit(1)
}

func extract(ctx context.Context, verifier *oidc.IDTokenVerifier, token *oauth2.Token, usernameClaim, groupsClaim string) extracted {
	raw, ok := token.Extra("id_token").(string)
	if !ok || raw == "" {
		fail("the token response has no id_token")
	}
	idToken, err := verifier.Verify(ctx, raw)
	if err != nil {
		fail("ID token verification failed: %v", err)
	}
	var c claims
	if err := idToken.Claims(&c); err != nil {
		fail("oidc: parse claims: %v", err)
	}
	_, hasNonce := c["nonce"]
	out := extracted{Subject: idToken.Subject, Audience: idToken.Audience, Nonce: idToken.Nonce, HasNonce: hasNonce, IssuedAt: idToken.IssuedAt.Unix(), Groups: []string{}}
	var username string
	if err := c.unmarshalClaim(usernameClaim, &username); err != nil {
		out.ClaimsError = fmt.Sprintf("oidc: parse username claims %q: %v", usernameClaim, err)
		return out
	}
	out.Username = username
	if _, ok := c[groupsClaim]; ok {
		var groups stringOrArray
		if err := c.unmarshalClaim(groupsClaim, &groups); err != nil {
			out.ClaimsError = fmt.Sprintf("oidc: parse groups claim %q: %v", groupsClaim, err)
			return out
		}
		out.Groups = groups
	}
	return out
}

func main() {
	if len(os.Args) != 8 && len(os.Args) != 9 {
		fail("usage: go_oidc_rp <issuer> <client_id> <client_secret> <redirect_uri> <username_claim> <groups_claim> <scopes> [<key=value,…>]")
	}
	issuer, clientID, clientSecret, redirectURI, usernameClaim, groupsClaim := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5], os.Args[6]
	// as kubelogin sends them: openid plus each --oidc-extra-scope, and --oidc-auth-request-extra-params
	scopes := strings.Split(os.Args[7], ",")
	options := []oauth2.AuthCodeOption{}
	if len(os.Args) == 9 && os.Args[8] != "" {
		for _, pair := range strings.Split(os.Args[8], ",") {
			kv := strings.SplitN(pair, "=", 2)
			if len(kv) != 2 {
				fail("extra parameter %q is not key=value", pair)
			}
			options = append(options, oauth2.SetAuthURLParam(kv[0], kv[1]))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// discovery: go-oidc insists that the document's issuer is exactly the one asked for
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		fail("discovery: %v", err)
	}
	// kube-apiserver: --oidc-client-id is the required audience, --oidc-signing-algs defaults to RS256
	verifier := provider.Verifier(&oidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{oidc.RS256}})
	conf := oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  redirectURI,
		Scopes:       scopes,
	}
	state, nonce := random(), random()
	authURL := conf.AuthCodeURL(state, append(options, oidc.Nonce(nonce))...)
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(map[string]string{"authorization_url": authURL}); err != nil {
		fail("%v", err)
	}

	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		fail("reading the callback URL: %v", err)
	}
	callback, err := url.Parse(strings.TrimSpace(line))
	if err != nil {
		fail("callback URL: %v", err)
	}
	query := callback.Query()
	if query.Get("state") != state {
		fail("state mismatch")
	}
	if e := query.Get("error"); e != "" {
		fail("authorization error: %s: %s", e, query.Get("error_description"))
	}
	token, err := conf.Exchange(ctx, query.Get("code"))
	if err != nil {
		fail("code exchange: %v", err)
	}
	initial := extract(ctx, verifier, token, usernameClaim, groupsClaim)
	if initial.Nonce != nonce {
		fail("nonce mismatch: sent %q, ID token has %q", nonce, initial.Nonce)
	}

	// kubelogin refreshes an expired ID token with the refresh token, and kube-apiserver verifies the
	// refreshed one the same way; iat has one-second resolution, so wait for a new second
	if token.RefreshToken == "" {
		fail("no refresh token (kubelogin needs offline_access, with prompt=consent)")
	}
	time.Sleep(1100 * time.Millisecond)
	expired := *token
	expired.Expiry = time.Now().Add(-time.Minute)
	refreshed, err := conf.TokenSource(ctx, &expired).Token()
	if err != nil {
		fail("refresh: %v", err)
	}
	again := extract(ctx, verifier, refreshed, usernameClaim, groupsClaim)
	if err := out.Encode(map[string]extracted{"initial": initial, "refreshed": again}); err != nil {
		fail("%v", err)
	}
}
