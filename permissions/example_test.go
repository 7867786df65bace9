package permissions_test

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/permissions"
)

// CloudTrail event names and SDK operations map to IAM actions through
// the exception table and the IAM reference; what has no action is an
// error, never a guess.
func ExampleMapCloudTrail() {
	for _, c := range [][2]string{
		{"s3.amazonaws.com", "ListObjectsV2"},
		{"s3.amazonaws.com", "HeadObject"},
		{"lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2"},
		{"dynamodb.amazonaws.com", "TransactWriteItems"},
	} {
		a, err := permissions.MapCloudTrail(c[0], c[1])
		if err != nil {
			fmt.Println(c[1], "->", "unmapped")
			continue
		}
		fmt.Println(c[1], "->", a, a.Group())
	}
	// Output:
	// ListObjectsV2 -> s3:ListBucket List
	// HeadObject -> s3:GetObject Read
	// UpdateFunctionConfiguration20150331v2 -> lambda:UpdateFunctionConfiguration Write
	// TransactWriteItems -> unmapped
}

// A policy from client-side monitoring datagrams: ApiCall events are
// granted, a call refused with AccessDenied is only reported.
func ExampleBuilder() {
	b := permissions.NewBuilder()
	for _, d := range []string{
		`{"Version":1,"Type":"ApiCall","Service":"S3","Api":"ListBuckets","AttemptCount":1}`,
		`{"Version":1,"Type":"ApiCall","Service":"STS","Api":"GetCallerIdentity","AttemptCount":1}`,
		`{"Version":1,"Type":"ApiCall","Service":"IAM","Api":"CreateUser","FinalAwsException":"AccessDenied"}`,
	} {
		ev, err := permissions.ParseDatagram([]byte(d))
		if err != nil {
			fmt.Println(err)
			continue
		}
		b.Add(ev.Observation())
	}
	r := b.Result()
	doc, _ := r.PolicyJSON()
	fmt.Print(string(doc))
	fmt.Println("denied:", r.Report.Denied[0].Action)
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "List",
	//       "Effect": "Allow",
	//       "Action": "s3:ListAllMyBuckets",
	//       "Resource": "*"
	//     },
	//     {
	//       "Sid": "Read",
	//       "Effect": "Allow",
	//       "Action": "sts:GetCallerIdentity",
	//       "Resource": "*"
	//     }
	//   ]
	// }
	// denied: iam:CreateUser
}

// Render writes a result as the policy document, a CloudFormation
// template or one JSON object with the report.
func ExampleResult_Render() {
	b := permissions.NewBuilder()
	b.Add(permissions.Observation{Service: "sts.amazonaws.com", Operation: "GetCallerIdentity"})
	doc, err := b.Result().Render("policy", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(doc))
	_, err = permissions.NewBuilder().Result().Render("cloudformation", "web")
	fmt.Println(err)
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "Read",
	//       "Effect": "Allow",
	//       "Action": "sts:GetCallerIdentity",
	//       "Resource": "*"
	//     }
	//   ]
	// }
	// no observed call to grant
}
