package cloudtrailgen

import (
	"fmt"
	"time"
)

// other makes one record that is not Roles Anywhere, of a kind drawn with
// rough real-world weights (S3 data events and describe calls dominate).
func (g *fileGen) other(t time.Time) obj {
	r := g.rnd
	acct, region := g.cfg.Account, g.cfg.Region
	ts := t.UTC().Format(time.RFC3339)
	roleName := []string{"app-server", "ci-runner", "lambda-exec", "ecs-task", "backup"}[r.IntN(5)]
	session := []string{"i-0" + hexStr(g, 16), "botocore-session-" + fmt.Sprint(1700000000+r.IntN(1e8)), "GitHubActions", "aws-go-sdk-" + fmt.Sprint(r.Int64N(1e18))}[r.IntN(4)]
	ident := obj{
		{"type", "AssumedRole"},
		{"principalId", "AROA" + upperAlnum(r, 17) + ":" + session},
		{"arn", fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, roleName, session)},
		{"accountId", acct},
		{"accessKeyId", "ASIA" + upperAlnum(r, 16)},
		{"sessionContext", obj{
			{"sessionIssuer", obj{{"type", "Role"}, {"principalId", "AROA" + upperAlnum(r, 17)}, {"arn", fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, roleName)}, {"accountId", acct}, {"userName", roleName}}},
			{"attributes", obj{{"creationDate", t.Add(-time.Duration(r.IntN(3600)) * time.Second).UTC().Format(time.RFC3339)}, {"mfaAuthenticated", "false"}}},
		}},
	}
	base := func(src, name string, readOnly bool) obj {
		return obj{
			{"eventVersion", "1.09"},
			{"userIdentity", ident},
			{"eventTime", ts},
			{"eventSource", src},
			{"eventName", name},
			{"awsRegion", region},
			{"sourceIPAddress", g.ip()},
			{"userAgent", []string{"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2", "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.220 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144", "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 command/s3.cp", "ec2.amazonaws.com", "AWS Internal"}[r.IntN(5)]},
		}
	}
	tail := func(o obj, readOnly bool, cat string) obj {
		return append(o,
			kv{"requestID", uuid(r)},
			kv{"eventID", uuid(r)},
			kv{"readOnly", readOnly},
			kv{"eventType", "AwsApiCall"},
			kv{"managementEvent", cat == "Management"},
			kv{"recipientAccountId", acct},
			kv{"eventCategory", cat},
			kv{"tlsDetails", obj{{"tlsVersion", "TLSv1.3"}, {"cipherSuite", "TLS_AES_128_GCM_SHA256"}, {"clientProvidedHostHeader", "service." + region + ".amazonaws.com"}}},
		)
	}
	bucket := []string{"prod-assets-" + acct, "logs-archive-" + region, "ml-training-data", "terraform-state-" + acct}[r.IntN(4)]
	switch k := r.IntN(100); {
	case k < 35: // S3 data events
		name := []string{"GetObject", "PutObject", "HeadObject", "DeleteObject"}[r.IntN(4)]
		key := fmt.Sprintf("data/%04d/%02d/%s/part-%05d-%s.parquet", 2026, 1+r.IntN(12), hexStr(g, 8), r.IntN(100000), uuid(r))
		o := base("s3.amazonaws.com", name, name != "PutObject")
		o = append(o,
			kv{"requestParameters", obj{{"bucketName", bucket}, {"Host", bucket + ".s3." + region + ".amazonaws.com"}, {"key", key}}},
			kv{"responseElements", nil},
			kv{"additionalEventData", obj{{"SignatureVersion", "SigV4"}, {"CipherSuite", "TLS_AES_128_GCM_SHA256"}, {"bytesTransferredIn", float64(r.IntN(1 << 20))}, {"AuthenticationMethod", "AuthHeader"}, {"x-amz-id-2", randAlnum(r, 76)}, {"bytesTransferredOut", float64(r.IntN(1 << 22))}}},
			kv{"resources", []obj{{{"type", "AWS::S3::Object"}, {"ARN", "arn:aws:s3:::" + bucket + "/" + key}}, {{"accountId", acct}, {"type", "AWS::S3::Bucket"}, {"ARN", "arn:aws:s3:::" + bucket}}}},
		)
		return tail(o, name != "PutObject", "Data")
	case k < 55: // EC2 describe calls
		name := []string{"DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups", "DescribeNetworkInterfaces"}[r.IntN(4)]
		o := base("ec2.amazonaws.com", name, true)
		ids := make([]any, 1+r.IntN(5))
		for i := range ids {
			ids[i] = obj{{"instanceId", "i-0" + hexStr(g, 16)}}
		}
		o = append(o,
			kv{"requestParameters", obj{{"instancesSet", obj{{"items", ids}}}, {"filterSet", obj{}}, {"maxResults", 1000}}},
			kv{"responseElements", nil},
		)
		return tail(o, true, "Management")
	case k < 63: // EC2 RunInstances: a large response
		o := base("ec2.amazonaws.com", "RunInstances", false)
		items := make([]any, 1+r.IntN(3))
		for i := range items {
			items[i] = obj{
				{"instanceId", "i-0" + hexStr(g, 16)}, {"imageId", "ami-0" + hexStr(g, 16)}, {"currentInstanceBootMode", "uefi"},
				{"instanceState", obj{{"code", 0}, {"name", "pending"}}}, {"privateDnsName", fmt.Sprintf("ip-10-%d-%d-%d.%s.compute.internal", r.IntN(256), r.IntN(256), r.IntN(256), region)},
				{"amiLaunchIndex", i}, {"productCodes", obj{}}, {"instanceType", []string{"t3.micro", "m7g.large", "c6i.2xlarge"}[r.IntN(3)]},
				{"launchTime", t.UnixMilli()}, {"placement", obj{{"availabilityZone", region + "a"}, {"tenancy", "default"}}},
				{"monitoring", obj{{"state", "disabled"}}}, {"subnetId", "subnet-0" + hexStr(g, 16)}, {"vpcId", "vpc-0" + hexStr(g, 16)},
				{"privateIpAddress", fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256))},
				{"stateReason", obj{{"code", "pending"}, {"message", "pending"}}}, {"architecture", "x86_64"}, {"rootDeviceType", "ebs"}, {"rootDeviceName", "/dev/xvda"},
				{"blockDeviceMapping", obj{}}, {"virtualizationType", "hvm"}, {"clientToken", uuid(r)},
				{"groupSet", obj{{"items", []any{obj{{"groupId", "sg-0" + hexStr(g, 16)}, {"groupName", "default"}}}}}},
				{"sourceDestCheck", true}, {"hypervisor", "xen"},
				{"networkInterfaceSet", obj{{"items", []any{obj{{"networkInterfaceId", "eni-0" + hexStr(g, 16)}, {"subnetId", "subnet-0" + hexStr(g, 16)}, {"vpcId", "vpc-0" + hexStr(g, 16)}, {"ownerId", acct}, {"status", "in-use"}, {"macAddress", "0a:" + hexStr(g, 2) + ":" + hexStr(g, 2) + ":" + hexStr(g, 2) + ":" + hexStr(g, 2) + ":" + hexStr(g, 2)}, {"privateIpAddress", "10.0.0.1"}, {"interfaceType", "interface"}}}}}},
				{"ebsOptimized", false}, {"enaSupport", true},
				{"cpuOptions", obj{{"coreCount", 1}, {"threadsPerCore", 2}}}, {"capacityReservationSpecification", obj{{"capacityReservationPreference", "open"}}},
				{"enclaveOptions", obj{{"enabled", false}}}, {"metadataOptions", obj{{"state", "pending"}, {"httpTokens", "required"}, {"httpPutResponseHopLimit", 2}, {"httpEndpoint", "enabled"}}},
				{"privateDnsNameOptions", obj{{"hostnameType", "ip-name"}, {"enableResourceNameDnsARecord", false}, {"enableResourceNameDnsAAAARecord", false}}},
			}
		}
		o = append(o,
			kv{"requestParameters", obj{{"instancesSet", obj{{"items", []any{obj{{"imageId", "ami-0" + hexStr(g, 16)}, {"minCount", 1}, {"maxCount", len(items)}}}}}}, {"instanceType", "t3.micro"}, {"blockDeviceMapping", obj{}}, {"monitoring", obj{{"enabled", false}}}, {"disableApiTermination", false}, {"disableApiStop", false}, {"clientToken", uuid(r)}}},
			kv{"responseElements", obj{{"requestId", uuid(r)}, {"reservationId", "r-0" + hexStr(g, 16)}, {"ownerId", acct}, {"groupSet", obj{}}, {"instancesSet", obj{{"items", items}}}}},
		)
		return tail(o, false, "Management")
	case k < 78: // KMS
		name := []string{"Decrypt", "GenerateDataKey", "Encrypt"}[r.IntN(3)]
		keyID := uuid(r)
		o := base("kms.amazonaws.com", name, name == "Decrypt")
		o = append(o,
			kv{"requestParameters", obj{{"encryptionContext", obj{{"aws:s3:arn", "arn:aws:s3:::" + bucket + "/" + hexStr(g, 24)}}}, {"encryptionAlgorithm", "SYMMETRIC_DEFAULT"}, {"keyId", fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, acct, keyID)}}},
			kv{"responseElements", nil},
			kv{"resources", []obj{{{"accountId", acct}, {"type", "AWS::KMS::Key"}, {"ARN", fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, acct, keyID)}}}},
		)
		return tail(o, true, "Management")
	case k < 86: // STS: GetCallerIdentity and AssumeRole by other services
		if r.IntN(2) == 0 {
			o := base("sts.amazonaws.com", "GetCallerIdentity", true)
			o = append(o, kv{"requestParameters", nil}, kv{"responseElements", nil})
			return tail(o, true, "Management")
		}
		svc := []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"}[r.IntN(3)]
		role := fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, roleName)
		o := obj{
			{"eventVersion", "1.08"},
			{"userIdentity", obj{{"type", "AWSService"}, {"invokedBy", svc}}},
			{"eventTime", ts}, {"eventSource", "sts.amazonaws.com"}, {"eventName", "AssumeRole"}, {"awsRegion", region},
			{"sourceIPAddress", svc}, {"userAgent", svc},
			{"requestParameters", obj{{"roleArn", role}, {"roleSessionName", session}}},
			{"responseElements", obj{
				{"credentials", obj{{"accessKeyId", "ASIA" + upperAlnum(r, 16)}, {"sessionToken", "IQoJb3JpZ2luX2VjE" + randAlnum(r, 400)}, {"expiration", t.Add(6 * time.Hour).UTC().Format("Jan 2, 2006, 3:04:05 PM")}}},
				{"assumedRoleUser", obj{{"assumedRoleId", "AROA" + upperAlnum(r, 17) + ":" + session}, {"arn", fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, roleName, session)}}},
			}},
			{"resources", []obj{{{"accountId", acct}, {"type", "AWS::IAM::Role"}, {"ARN", role}}}},
			{"sharedEventID", uuid(r)},
		}
		return tail(o, true, "Management")
	case k < 92: // CloudWatch Logs
		o := base("logs.amazonaws.com", []string{"CreateLogStream", "DescribeLogGroups", "FilterLogEvents"}[r.IntN(3)], false)
		o = append(o, kv{"requestParameters", obj{{"logGroupName", "/aws/lambda/" + roleName + "-" + hexStr(g, 6)}, {"logStreamName", "2026/11/21/[$LATEST]" + hexStr(g, 32)}}}, kv{"responseElements", nil})
		return tail(o, false, "Management")
	case k < 96: // Lambda
		fn := roleName + "-handler-" + hexStr(g, 4)
		o := base("lambda.amazonaws.com", "Invoke", false)
		o = append(o,
			kv{"requestParameters", obj{{"functionName", fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, acct, fn)}, {"sourceArn", "arn:aws:s3:::" + bucket}}},
			kv{"responseElements", nil},
			kv{"additionalEventData", obj{{"functionVersion", fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s:$LATEST", region, acct, fn)}}},
			kv{"resources", []obj{{{"accountId", acct}, {"type", "AWS::Lambda::Function"}, {"ARN", fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, acct, fn)}}}},
		)
		return tail(o, false, "Data")
	default: // IAM (global, us-east-1)
		o := base("iam.amazonaws.com", []string{"ListRoles", "GetRole", "ListAttachedRolePolicies", "GetPolicyVersion"}[r.IntN(4)], true)
		o = append(o, kv{"requestParameters", obj{{"roleName", roleName}, {"maxItems", 100}}}, kv{"responseElements", nil})
		return tail(o, true, "Management")
	}
}

func hexStr(g *fileGen, n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[g.rnd.IntN(16)]
	}
	return string(b)
}
