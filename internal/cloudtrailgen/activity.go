package cloudtrailgen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// ActivityRoles and ActivityIdentities are the principals of
// GenerateActivity's corpus: two roles, three workload identities.
const (
	ActivityWebRole    = "acme-web"
	ActivityBackupRole = "acme-backup"
)

// ActivityCall is one later call of a Roles Anywhere session in the
// activity corpus.
type ActivityCall struct {
	Role, Identity string
	Source, Name   string
	Params         obj
	Resources      []obj
	ErrorCode      string
}

// ActivityCorpus describes what GenerateActivity wrote.
type ActivityCorpus struct {
	Dir       string
	Files     []string
	Account   string
	Region    string
	Workloads []Workload // web1, web2, backup (in that order)
	// Sessions maps identity to the session name its calls were made with.
	Sessions map[string]string
	Records  int
}

// GenerateActivity writes a small CloudTrail corpus of what Roles Anywhere
// sessions did after CreateSession: identities web1 and web2 of the
// domain use role acme-web, backup uses role acme-backup, each with one
// session (CreateSession, STS AssumeRole, then S3, DynamoDB, SQS, SNS,
// KMS, Secrets Manager, SSM, CloudWatch Logs, Lambda and STS calls, some
// refused with AccessDenied, some with no IAM action), mixed with
// unrelated records, calls of acme-web made outside Roles Anywhere, of a
// role of the same name in another account, and a record without
// userIdentity. Two gzip files; deterministic for cfg.Seed. The exact
// calls are in the source: tests state the policies they expect.
func GenerateActivity(dir string, cfg Config) (*ActivityCorpus, error) {
	cfg.defaults()
	ws, err := NewWorkloads(cfg.Seed, cfg.Domain, 3, "svc")
	if err != nil {
		return nil, err
	}
	web1, web2, backup := ws[0], ws[1], ws[2]
	acct, region := cfg.Account, cfg.Region
	assets := "web-assets-" + acct
	backups := "backups-" + acct
	keyARN := fmt.Sprintf("arn:aws:kms:%s:%s:key/4f1c9a0e-7b2d-4c1e-9a55-2b7f3d9c8e10", region, acct)
	backupKey := fmt.Sprintf("arn:aws:kms:%s:%s:key/9d2e4b71-1c3a-4f6e-8b20-6a5c7e1f0d33", region, acct)
	fn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:thumbnailer", region, acct)
	s3obj := func(bucket, key string) (obj, []obj) {
		return obj{{"bucketName", bucket}, {"Host", bucket + ".s3." + region + ".amazonaws.com"}, {"key", key}},
			[]obj{{{"type", "AWS::S3::Object"}, {"ARN", "arn:aws:s3:::" + bucket + "/" + key}}, {{"accountId", acct}, {"type", "AWS::S3::Bucket"}, {"ARN", "arn:aws:s3:::" + bucket}}}
	}
	call := func(role string, w Workload, src, name string, params obj, res []obj, code string) ActivityCall {
		return ActivityCall{Role: role, Identity: w.Identity, Source: src, Name: name, Params: params, Resources: res, ErrorCode: code}
	}
	var calls []ActivityCall
	web := func(w Workload, src, name string, params obj, res []obj, code string) {
		calls = append(calls, call(ActivityWebRole, w, src, name, params, res, code))
	}
	bk := func(src, name string, params obj, res []obj, code string) {
		calls = append(calls, call(ActivityBackupRole, backup, src, name, params, res, code))
	}
	for _, k := range []string{"static/css/site.css", "static/js/app.js", "static/img/logo.png"} {
		p, r := s3obj(assets, k)
		web(web1, "s3.amazonaws.com", "GetObject", p, r, "")
	}
	p, r := s3obj(assets, "static/index.html")
	web(web1, "s3.amazonaws.com", "HeadObject", p, r, "")
	web(web1, "s3.amazonaws.com", "ListObjectsV2", obj{{"bucketName", assets}, {"Host", assets + ".s3." + region + ".amazonaws.com"}, {"list-type", "2"}, {"prefix", "static/"}}, []obj{{{"accountId", acct}, {"type", "AWS::S3::Bucket"}, {"ARN", "arn:aws:s3:::" + assets}}}, "")
	web(web1, "s3.amazonaws.com", "ListBuckets", obj{{"Host", "s3." + region + ".amazonaws.com"}}, nil, "")
	web(web1, "dynamodb.amazonaws.com", "GetItem", obj{{"tableName", "web-sessions"}, {"key", obj{{"id", obj{{"S", "x"}}}}}}, nil, "")
	web(web1, "dynamodb.amazonaws.com", "PutItem", obj{{"tableName", "web-sessions"}}, nil, "")
	web(web1, "sqs.amazonaws.com", "SendMessage", obj{{"queueUrl", fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/web-jobs", region, acct)}, {"messageBody", "HIDDEN_DUE_TO_SECURITY_REASONS"}}, nil, "")
	web(web1, "kms.amazonaws.com", "Decrypt", obj{{"encryptionAlgorithm", "SYMMETRIC_DEFAULT"}}, []obj{{{"accountId", acct}, {"type", "AWS::KMS::Key"}, {"ARN", keyARN}}}, "")
	web(web1, "logs.amazonaws.com", "CreateLogStream", obj{{"logGroupName", "/acme/web"}, {"logStreamName", "2026/11/21/web1"}}, nil, "")
	web(web1, "logs.amazonaws.com", "PutLogEvents", obj{{"logGroupName", "/acme/web"}, {"logStreamName", "2026/11/21/web1"}}, nil, "")
	web(web1, "sts.amazonaws.com", "GetCallerIdentity", nil, nil, "")
	p, r = s3obj(assets, "static/evil.js")
	web(web1, "s3.amazonaws.com", "PutObject", p, r, "AccessDenied")
	web(web1, "dynamodb.amazonaws.com", "TransactWriteItems", obj{{"transactItems", []any{}}}, nil, "")
	web(web1, "internal-tool.amazonaws.com", "Sync", nil, nil, "")
	p, r = s3obj(assets, "static/fonts/a.woff")
	web(web2, "s3.amazonaws.com", "GetObject", p, r, "")
	p, r = s3obj(assets, "static/missing.png")
	web(web2, "s3.amazonaws.com", "GetObject", p, r, "NoSuchKey")
	web(web2, "sns.amazonaws.com", "Publish", obj{{"topicArn", fmt.Sprintf("arn:aws:sns:%s:%s:web-alerts", region, acct)}, {"message", "HIDDEN_DUE_TO_SECURITY_REASONS"}}, nil, "")
	web(web2, "secretsmanager.amazonaws.com", "GetSecretValue", obj{{"secretId", "web/db-password"}}, nil, "")
	web(web2, "lambda.amazonaws.com", "Invoke", obj{{"functionName", fn}}, []obj{{{"accountId", acct}, {"type", "AWS::Lambda::Function"}, {"ARN", fn}}}, "")
	web(web2, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", obj{{"functionName", "thumbnailer"}, {"timeout", 30}}, nil, "")
	web(web2, "iam.amazonaws.com", "ListRoles", nil, nil, "AccessDenied")
	for _, k := range []string{"db/2026-11-21/dump-001.sql.gz", "db/2026-11-21/dump-002.sql.gz", "db/2026-11-22/dump-001.sql.gz"} {
		p, r := s3obj(backups, k)
		bk("s3.amazonaws.com", "PutObject", p, r, "")
	}
	bk("s3.amazonaws.com", "ListObjects", obj{{"bucketName", backups}, {"Host", backups + ".s3." + region + ".amazonaws.com"}, {"prefix", "db/"}}, nil, "")
	bk("ssm.amazonaws.com", "GetParameter", obj{{"name", "/backup/schedule"}, {"withDecryption", true}}, nil, "")
	bk("ssm.amazonaws.com", "GetParametersByPath", obj{{"path", "/backup/targets"}, {"recursive", true}}, nil, "")
	bk("kms.amazonaws.com", "GenerateDataKey", obj{{"keyId", backupKey}, {"keySpec", "AES_256"}}, nil, "")
	bk("logs.amazonaws.com", "PutLogEvents", obj{{"logGroupName", "/acme/backup"}, {"logStreamName", "nightly"}}, nil, "")
	bk("dynamodb.amazonaws.com", "DescribeTable", obj{{"tableName", "backup-catalog"}}, nil, "")
	bk("dynamodb.amazonaws.com", "BatchWriteItem", obj{{"requestItems", obj{{"backup-catalog", []any{}}}}}, nil, "")
	bk("lambda.amazonaws.com", "ListFunctions20150331", nil, nil, "")

	c := &ActivityCorpus{Dir: dir, Account: acct, Region: region, Workloads: ws, Sessions: map[string]string{}}
	rnd := rand.New(rand.NewPCG(cfg.Seed, 77))
	g := &fileGen{cfg: &cfg, rnd: rnd}
	t0 := cfg.Start.Add(10 * time.Minute)
	type sess struct {
		name, role string
		created    time.Time
		w          Workload
	}
	sessions := map[string]sess{}
	var files [2][]obj
	for i, w := range ws {
		role := ActivityWebRole
		if w.Identity == backup.Identity {
			role = ActivityBackupRole
		}
		created := t0.Add(time.Duration(i) * time.Minute)
		name := fmt.Sprintf("%06d", 100000+rnd.IntN(900000))
		cs, ar := g.sessionRecordsOf(w, role, created, name, w.IP)
		files[0] = append(files[0], cs, ar)
		sessions[w.Identity] = sess{name: name, role: role, created: created, w: w}
		c.Sessions[w.Identity] = name
	}
	for i, x := range calls {
		s := sessions[x.Identity]
		at := s.created.Add(time.Duration(30+i*7) * time.Second)
		rec := g.sessionCall(s.w, s.role, s.name, s.created, at, x, "CN="+x.Identity, acct)
		files[i%2] = append(files[i%2], rec)
	}
	// Noise: the same role used from the console (no source identity), a
	// role of the same name in another account, a record without
	// userIdentity that mentions the role, and unrelated records.
	con := ActivityCall{Source: "s3.amazonaws.com", Name: "DeleteBucket", Params: obj{{"bucketName", assets}}}
	files[1] = append(files[1], g.sessionCall(web1, ActivityWebRole, "alice@example.com", t0, t0.Add(time.Hour), con, "", acct))
	foreign := ActivityCall{Source: "s3.amazonaws.com", Name: "DeleteObject", Params: obj{{"bucketName", "x"}, {"key", "y"}}}
	files[1] = append(files[1], g.sessionCall(web1, ActivityWebRole, sessions[web1.Identity].name, t0, t0.Add(time.Hour), foreign, "CN="+web1.Identity, "210987654321"))
	files[0] = append(files[0], obj{{"eventVersion", "1.09"}, {"eventTime", t0.Add(2 * time.Hour).Format(time.RFC3339)}, {"eventSource", "s3.amazonaws.com"}, {"eventName", "GetObject"},
		{"requestParameters", obj{{"bucketName", "arn:aws:sts::" + acct + ":assumed-role/" + ActivityWebRole + "/x"}}}})
	for i := 0; i < 200; i++ {
		files[i%2] = append(files[i%2], g.other(t0.Add(time.Duration(i)*time.Second)))
	}
	for i, recs := range files {
		// CloudTrail files are unordered: shuffle.
		rnd.Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
		b := []byte(`{"Records":[`)
		for j, r := range recs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, r)
		}
		b = append(b, "]}"...)
		ts := t0.Add(time.Duration(i) * 5 * time.Minute)
		p := filepath.Join(dir, "AWSLogs", acct, "CloudTrail", region, ts.Format("2006/01/02"),
			fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", acct, region, ts.Format("20060102T1504Z"), randAlnum(rnd, 16)))
		if _, err := writeGzip(p, b); err != nil {
			return nil, err
		}
		c.Files = append(c.Files, p)
		c.Records += len(recs)
	}
	if err := os.WriteFile(filepath.Join(dir, "env-sha1sum-db.json"), SeedDB(ws), 0o600); err != nil {
		return nil, err
	}
	return c, nil
}

// sessionCall makes the record of a later call made with a session.
func (g *fileGen) sessionCall(w Workload, role, session string, created, at time.Time, x ActivityCall, sourceIdentity, acct string) obj {
	r := g.rnd
	region := g.cfg.Region
	ctx := obj{
		{"sessionIssuer", obj{{"type", "Role"}, {"principalId", "AROA" + upperAlnum(r, 17)}, {"arn", fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, role)}, {"accountId", acct}, {"userName", role}}},
		{"attributes", obj{{"creationDate", created.UTC().Format(time.RFC3339)}, {"mfaAuthenticated", "false"}}},
	}
	if sourceIdentity != "" {
		ctx = append(ctx, kv{"sourceIdentity", sourceIdentity})
	}
	o := obj{
		{"eventVersion", "1.09"},
		{"userIdentity", obj{
			{"type", "AssumedRole"},
			{"principalId", "AROA" + upperAlnum(r, 17) + ":" + session},
			{"arn", fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, role, session)},
			{"accountId", acct},
			{"accessKeyId", "ASIA" + upperAlnum(r, 16)},
			{"sessionContext", ctx},
		}},
		{"eventTime", at.UTC().Format(time.RFC3339)},
		{"eventSource", x.Source},
		{"eventName", x.Name},
		{"awsRegion", region},
		{"sourceIPAddress", w.IP},
		{"userAgent", "aws-sdk-go-v2/1.40.0 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64"},
	}
	if x.ErrorCode != "" {
		o = append(o, kv{"errorCode", x.ErrorCode}, kv{"errorMessage", "User: arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session + " is not authorized to perform this operation"})
	}
	if x.Params != nil {
		o = append(o, kv{"requestParameters", x.Params})
	} else {
		o = append(o, kv{"requestParameters", nil})
	}
	o = append(o, kv{"responseElements", nil})
	if x.Resources != nil {
		o = append(o, kv{"resources", x.Resources})
	}
	return append(o,
		kv{"requestID", uuid(r)}, kv{"eventID", uuid(r)}, kv{"readOnly", false},
		kv{"eventType", "AwsApiCall"}, kv{"managementEvent", true}, kv{"recipientAccountId", acct}, kv{"eventCategory", "Management"},
		kv{"tlsDetails", obj{{"tlsVersion", "TLSv1.3"}, {"cipherSuite", "TLS_AES_128_GCM_SHA256"}, {"clientProvidedHostHeader", "service." + region + ".amazonaws.com"}}},
	)
}
