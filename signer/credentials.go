package signer

import (
	"encoding/json"
	"fmt"
	"time"
)

// Credentials are temporary AWS credentials from CreateSession.
//
// Security considerations: SecretAccessKey and SessionToken are secrets;
// String never prints them.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// String names the access key and expiry only.
func (c Credentials) String() string {
	return fmt.Sprintf("credentials %s (expires %s)", c.AccessKeyID, c.Expiration.UTC().Format(time.RFC3339))
}

// processOutput is the credential_process document the AWS SDKs read.
type processOutput struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
}

// ProcessJSON is the credential_process output: one JSON object with
// Version 1, followed by a newline.
func (c Credentials) ProcessJSON() ([]byte, error) {
	b, err := json.Marshal(processOutput{
		Version:         1,
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Expiration:      c.Expiration.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, fmt.Errorf("encode credential_process output: %w", err)
	}
	return append(b, '\n'), nil
}
