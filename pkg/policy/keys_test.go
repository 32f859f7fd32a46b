package policy

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"
)

// testKeys holds one key pair of each trusted type, generated once
// because RSA generation is slow under the race detector.
type testKeys struct {
	ed    ed25519.PrivateKey
	edAlt ed25519.PrivateKey
	ec    *ecdsa.PrivateKey
	rsa   *rsa.PrivateKey
}

var (
	keysOnce sync.Once
	keysVal  testKeys
)

func fixtureKeys(t *testing.T) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		_, keysVal.ed, err = ed25519.GenerateKey(rand.Reader)
		if err == nil {
			_, keysVal.edAlt, err = ed25519.GenerateKey(rand.Reader)
		}
		if err == nil {
			keysVal.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		}
		if err == nil {
			keysVal.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			panic(err)
		}
	})
	return keysVal
}

// pemPublic encodes pub as a PUBLIC KEY block, with a kid header when kid
// is not empty.
func pemPublic(t *testing.T, pub crypto.PublicKey, kid string) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}
	b := &pem.Block{Type: "PUBLIC KEY", Bytes: der}
	if kid != "" {
		b.Headers = map[string]string{"kid": kid}
	}
	return pem.EncodeToMemory(b)
}

// pemCert encodes a self-signed certificate for priv.
func pemCert(t *testing.T, priv crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "issuer"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1<<33, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestLoadKeys(t *testing.T) {
	k := fixtureKeys(t)
	edID, err := KeyID(k.ed.Public())
	if err != nil {
		t.Fatal(err)
	}

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k.ed)
	if err != nil {
		t.Fatal(err)
	}
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})

	concat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}

	tests := []struct {
		name    string
		pem     []byte
		wantErr error
		want    []Key // ID and Algorithm only
	}{
		{
			name: "three key types with default ids",
			pem: concat(pemPublic(t, k.ed.Public(), ""),
				pemPublic(t, k.ec.Public(), ""),
				pemPublic(t, k.rsa.Public(), "")),
			want: []Key{
				{ID: edID, Algorithm: AlgEdDSA},
				{Algorithm: AlgES256},
				{Algorithm: AlgRS256},
			},
		},
		{
			name: "kid header names the key",
			pem:  pemPublic(t, k.ed.Public(), "primary"),
			want: []Key{{ID: "primary", Algorithm: AlgEdDSA}},
		},
		{
			name: "certificate gives the same id as its public key",
			pem:  pemCert(t, k.ed),
			want: []Key{{ID: edID, Algorithm: AlgEdDSA}},
		},
		{
			name: "pkcs1 rsa public key",
			pem: pem.EncodeToMemory(&pem.Block{
				Type:  "RSA PUBLIC KEY",
				Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey),
			}),
			want: []Key{{Algorithm: AlgRS256}},
		},
		{
			name:    "rsa 1024 refused",
			pem:     pemPublic(t, small.Public(), ""),
			wantErr: ErrUnsupportedKey,
		},
		{
			name:    "p-384 refused",
			pem:     pemPublic(t, p384.Public(), ""),
			wantErr: ErrUnsupportedKey,
		},
		{
			name:    "private key block refused",
			pem:     privPEM,
			wantErr: ErrInvalidKeyFile,
		},
		{
			name: "repeated key id refused",
			pem: concat(pemPublic(t, k.ed.Public(), "a"),
				pemPublic(t, k.ec.Public(), "a")),
			wantErr: ErrInvalidKeyFile,
		},
		{
			name: "garbage block refused",
			pem: pem.EncodeToMemory(&pem.Block{
				Type: "PUBLIC KEY", Bytes: []byte("not der"),
			}),
			wantErr: ErrInvalidKeyFile,
		},
		{name: "empty", pem: nil, wantErr: ErrNoKeys},
		{name: "no pem at all", pem: []byte("hello"), wantErr: ErrNoKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := LoadKeys(tt.pem)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("LoadKeys error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadKeys: %v", err)
			}
			got := ks.Keys()
			if len(got) != len(tt.want) {
				t.Fatalf("got %d keys, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				if got[i].Algorithm != w.Algorithm {
					t.Errorf("key %d algorithm = %s, want %s", i, got[i].Algorithm, w.Algorithm)
				}
				if w.ID != "" && got[i].ID != w.ID {
					t.Errorf("key %d id = %s, want %s", i, got[i].ID, w.ID)
				}
				if len(got[i].ID) == 0 {
					t.Errorf("key %d has no id", i)
				}
				if _, ok := ks.Lookup(got[i].ID); !ok {
					t.Errorf("key %d not found by its id", i)
				}
			}
		})
	}
}

func TestKeyIDFormat(t *testing.T) {
	k := fixtureKeys(t)
	id, err := KeyID(k.ec.Public())
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 16 {
		t.Fatalf("KeyID length = %d, want 16", len(id))
	}
	for _, r := range id {
		ok := r == '-' || r == '_' || ('0' <= r && r <= '9') ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		if !ok {
			t.Fatalf("KeyID %q is not base64url", id)
		}
	}
}
