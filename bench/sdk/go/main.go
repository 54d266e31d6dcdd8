// Command olock-sdk-go-peer is the AWS SDK for Go v2's side of olock's SDK comparison
// (bench/sdk/README.md). It is built in GOPATH mode from Debian's packaged sources
// (golang-github-aws-aws-sdk-go-v2-dev, golang-github-aws-smithy-go-dev):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o PEER ./bench/sdk/go
//
// One operation is one dynamodb.Client.UpdateItem, as an application writes it: a new
// UpdateItemInput (Key, UpdateExpression "SET #g = :g, #t = :t, #v = :nv", ConditionExpression
// "#v = :expected", ExpressionAttributeNames/Values), serialised, signed with SigV4 from static
// credentials (through the credentials cache, as config.LoadDefaultConfig sets it up), sent
// through a stub HTTPClient that answers at once with a canned 200, CRC32-checked and
// deserialised by the SDK. One reused client per case; no network.
//
// The packaged service/dynamodb (module v1.17.3) has no ReturnValuesOnConditionCheckFailure
// field on UpdateItemInput (it came with a later release), so the "go" cases add it to the
// serialised body with a small Serialize middleware placed right after the SDK's serializer,
// before signing: the request on the wire is then the one olock and the JavaScript SDK send.
// The "go_no_rvoccf" case sends the request without it (no middleware), for reference.
//
// Driven by bench/sdk/driver.js over stdin/stdout, one command per line:
//
//	cases              -> the case names, space separated
//	run CASE ITERS     -> process CPU nanoseconds spent running ITERS operations
//	allocs CASE ITERS  -> "ALLOCS BYTES": heap allocations and bytes per operation (runtime.MemStats)
//	check CASE         -> one operation; prints {"auth":..., "attrs":N, "body":<request>}
//	quit
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const playerID = "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11"

// The canned answers; olock's and the JavaScript peers send the same bytes.
const respEmpty = `{}`
const respAllNew = `{"Attributes":{"gold":{"N":"130"},"id":{"S":"` + playerID + `"},` +
	`"title":{"S":"Dragon Slayer"},"version":{"N":"42"}}}`

// stubHTTP is the null transport: it consumes and closes the request body, as an HTTP
// transport must, and answers with a canned DynamoDB success.
type stubHTTP struct {
	body     []byte
	crc, len string
	capture  bool
	lastAuth string
	lastBody []byte
	sends    int
}

func (s *stubHTTP) Do(r *http.Request) (*http.Response, error) {
	s.sends++
	if r.Body != nil {
		if s.capture {
			s.lastBody, _ = io.ReadAll(r.Body)
			s.lastAuth = r.Header.Get("Authorization")
			s.capture = false
		} else {
			io.Copy(io.Discard, r.Body)
		}
		r.Body.Close()
	}
	h := make(http.Header, 4)
	h["X-Amzn-Requestid"] = []string{"N0T4REALREQUESTIDV4KQNSO5AEMVJF66Q9ASUAAJG"}
	h["X-Amz-Crc32"] = []string{s.crc}
	h["Content-Type"] = []string{"application/x-amz-json-1.0"}
	h["Content-Length"] = []string{s.len}
	return &http.Response{
		Status: "200 OK", StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(s.body)), ContentLength: int64(len(s.body)), Request: r,
	}, nil
}

// addRVOCCF adds ReturnValuesOnConditionCheckFailure=ALL_OLD to the serialised UpdateItem body.
type addRVOCCF struct{}

func (addRVOCCF) ID() string { return "OlockBenchReturnValuesOnConditionCheckFailure" }

func (addRVOCCF) HandleSerialize(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (
	middleware.SerializeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", in.Request)
	}
	b, err := io.ReadAll(req.GetStream())
	if err != nil || len(b) < 2 || b[len(b)-1] != '}' {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected serialised body")
	}
	nb := make([]byte, 0, len(b)+48)
	nb = append(nb, b[:len(b)-1]...)
	nb = append(nb, `,"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`...)
	if req, err = req.SetStream(bytes.NewReader(nb)); err != nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, err
	}
	in.Request = req
	return next.HandleSerialize(ctx, in)
}

type peerCase struct {
	name   string
	allNew bool
	rvoccf bool
	stub   *stubHTTP
	client *dynamodb.Client
	n      int // updates so far: the next one's gold, as bench/peer_update.h's PEER_GOLD
}

func newCase(name string, allNew, rvoccf bool) *peerCase {
	body := respEmpty
	if allNew {
		body = respAllNew
	}
	stub := &stubHTTP{body: []byte(body), crc: strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(body))), 10),
		len: strconv.Itoa(len(body))}
	cfg := aws.Config{
		Region:      "eu-west-1",
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")),
		HTTPClient:  stub,
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if rvoccf {
			o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
				return s.Serialize.Insert(addRVOCCF{}, "OperationSerializer", middleware.After)
			})
		}
	})
	return &peerCase{name: name, allNew: allNew, rvoccf: rvoccf, stub: stub, client: client}
}

// one is one versioned UpdateItem: expected version 41, new version 42, the next gold.
func (c *peerCase) one(ctx context.Context) (*dynamodb.UpdateItemOutput, error) {
	gold := 130 + c.n%870
	c.n++
	in := &dynamodb.UpdateItemInput{
		TableName:           aws.String("players"),
		Key:                 map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: playerID}},
		UpdateExpression:    aws.String("SET #g = :g, #t = :t, #v = :nv"),
		ConditionExpression: aws.String("#v = :expected"),
		ExpressionAttributeNames: map[string]string{
			"#g": "gold", "#t": "title", "#v": "version",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":g":        &types.AttributeValueMemberN{Value: strconv.Itoa(gold)},
			":t":        &types.AttributeValueMemberS{Value: "Dragon Slayer"},
			":expected": &types.AttributeValueMemberN{Value: strconv.FormatUint(41, 10)},
			":nv":       &types.AttributeValueMemberN{Value: strconv.FormatUint(42, 10)},
		},
	}
	if c.allNew {
		in.ReturnValues = types.ReturnValueAllNew
	}
	return c.client.UpdateItem(ctx, in)
}

var sink int

func (c *peerCase) run(n int) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		out, err := c.one(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "olock-sdk-go-peer:", err)
			os.Exit(1)
		}
		if c.allNew {
			if _, ok := out.Attributes["title"].(*types.AttributeValueMemberS); !ok {
				fmt.Fprintln(os.Stderr, "olock-sdk-go-peer: no ALL_NEW attributes in the output")
				os.Exit(1)
			}
		}
		sink += len(out.Attributes)
	}
}

// processCPUns reads CLOCK_PROCESS_CPUTIME_ID (2): all threads, the garbage collector's included.
func processCPUns() int64 {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 2, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		panic(e)
	}
	return ts.Nano()
}

func main() {
	cases := []*peerCase{
		newCase("go", false, true),
		newCase("go_all_new", true, true),
		newCase("go_no_rvoccf", false, false),
	}
	byName := map[string]*peerCase{}
	for _, c := range cases {
		byName[c.name] = c
	}
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		if f[0] == "quit" {
			break
		}
		var c *peerCase
		n := 0
		if len(f) >= 2 {
			c = byName[f[1]]
		}
		if len(f) >= 3 {
			n, _ = strconv.Atoi(f[2])
		}
		switch {
		case f[0] == "cases":
			names := make([]string, len(cases))
			for i, c := range cases {
				names[i] = c.name
			}
			fmt.Fprintln(out, strings.Join(names, " "))
		case c == nil:
			fmt.Fprintln(out, "error unknown case or command")
		case f[0] == "run" && n > 0:
			t0 := processCPUns()
			c.run(n)
			fmt.Fprintln(out, processCPUns()-t0)
		case f[0] == "allocs" && n > 0:
			var a, b runtime.MemStats
			c.run(n) // steady state first
			runtime.ReadMemStats(&a)
			c.run(n)
			runtime.ReadMemStats(&b)
			fmt.Fprintf(out, "%.1f %.0f\n", float64(b.Mallocs-a.Mallocs)/float64(n), float64(b.TotalAlloc-a.TotalAlloc)/float64(n))
		case f[0] == "check":
			before := c.stub.sends
			c.stub.capture = true
			o, err := c.one(context.Background())
			if err != nil || c.stub.sends-before != 1 {
				fmt.Fprintln(os.Stderr, "olock-sdk-go-peer: check failed:", err)
				os.Exit(1)
			}
			auth, _ := json.Marshal(c.stub.lastAuth)
			fmt.Fprintf(out, "{\"auth\":%s,\"attrs\":%d,\"body\":%s}\n", auth, len(o.Attributes), c.stub.lastBody)
		default:
			fmt.Fprintln(out, "error bad command")
		}
		out.Flush()
	}
}
