package monitor

import (
	"fmt"
	"os"

	"github.com/opsmonitor/monitor/pkg/policy"
)

// verifier builds the token verifier: trusted keys from the PEM file, or
// the data directory's dev key with the embedded server or --dev-auth.
func (s *Service) verifier() (*policy.Verifier, error) {
	a := s.cfg.Auth
	var keys *policy.KeySet
	switch {
	case a.KeysFile != "":
		pem, err := os.ReadFile(a.KeysFile)
		if err != nil {
			return nil, fmt.Errorf("reading --auth-keys: %w", err)
		}
		if keys, err = policy.LoadKeys(pem); err != nil {
			return nil, fmt.Errorf("--auth-keys %s: %w", a.KeysFile, err)
		}
		s.log.Info().Str("file", a.KeysFile).Int("keys", keys.Len()).Msg("trusting token keys")
	case s.cfg.NATSURL == "" || a.DevAuth:
		priv, created, err := policy.LoadOrCreateDevKey(s.cfg.DataDir)
		if err != nil {
			return nil, err
		}
		if keys, err = policy.DevKeySet(priv); err != nil {
			return nil, err
		}
		s.log.Warn().Bool("created", created).Str("data_dir", s.cfg.DataDir).
			Str("mint", fmt.Sprintf("monitor token --data-dir %s --tenant <tenant> --user <user> --perm realtime:view-all-operators", s.cfg.DataDir)).
			Msg("dev auth: trusting the data directory's dev key; use --auth-keys in production")
	default:
		return nil, fmt.Errorf("with --nats-url, give --auth-keys (or --dev-auth for a trial)")
	}
	return policy.NewVerifier(policy.VerifierConfig{Keys: keys, Issuer: a.Issuer, Audience: a.Audience})
}
