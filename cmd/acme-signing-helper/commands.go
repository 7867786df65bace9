package main

// commands lists every subcommand. Each lives in its own cmd_*.go file and
// only parses flags, validates, calls the packages and formats output.
var commands = []command{
	{name: "credential-process", summary: "print temporary AWS credentials (credential_process JSON) from an ACME certificate via IAM Roles Anywhere", run: runCredentialProcess},
	{name: "detect", summary: "check TOTP session names of Roles Anywhere sessions in CloudTrail against the seed database", run: runDetect},
	{name: "trust-policy", summary: "write the role trust, Route 53 DNS-01 and source-IP policies; lint a trust policy", run: runTrustPolicy},
	{name: "simulate", summary: "tell whether a trust policy allows a CreateSession (ALLOW/DENY and why)", run: runSimulate},
	{name: "version", summary: "print the version and VCS revision", run: runVersion},
	{name: "demo", summary: "an offline round trip: throwaway PKI, local verifying endpoint, credential_process output", run: runDemo},
	{name: "serve-emulator", summary: "run a local Roles Anywhere endpoint that verifies requests (try a setup offline)", run: runServeEmulator},
	{name: "totp", summary: "TOTP seed, code, verify and enroll from an environment fingerprint (oathtool-compatible)", run: runTOTP},
	{name: "systemd", summary: "print systemd units: lego issuance and renewal, serve or update", run: runSystemd},
	{name: "update", summary: "keep a profile of ~/.aws/credentials filled with fresh credentials", run: runUpdate},
	{name: "serve", summary: "serve credentials over IMDSv2 and ECS container-credentials endpoints", run: runServe},
	{name: "aws-config", summary: "print a ~/.aws/config profile whose credential_process runs this program", run: runAWSConfig},
	{name: "sign-string", summary: "sign the official helper's fixed test string with the key (diagnostic; RSA output equals the official's)", run: runSignString},
	{name: "read-certificate-data", summary: "print a certificate's keyType, certificateData, serialNumber and supportedAlgorithms as JSON (diagnostic)", run: runReadCertificateData},
	{name: "completion", summary: "print a bash, zsh or fish completion script generated from the commands and their flags", run: runCompletion},
	{name: "tpm", summary: "keys in the TPM: keygen (TSS2 key file), csr (a CSR signed in the TPM for lego/certbot --csr)", run: runTPM},
	{name: "permissions", summary: "least-privilege permissions policy of the role from what the workload does (CloudTrail, client-side monitoring)", run: runPermissions},
	{name: "doctor", summary: "check a setup: files, key, chain, validity, ARNs, fingerprint, clock (PASS/WARN/FAIL with fixes)", run: runDoctor},
}
