package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/adapters/httpapi"
)

// openapiDoc is the part of an OpenAPI 3.1 document the tests read.
type openapiDoc struct {
	OpenAPI    string                               `json:"openapi"`
	Paths      map[string]map[string]openapiOp      `json:"paths"`
	Components struct{ Schemas map[string]*schema } `json:"components"`
}

type openapiOp struct {
	OperationID string `json:"operationId"`
	RequestBody *struct {
		Content map[string]struct {
			Schema   *schema                   `json:"schema"`
			Examples map[string]openapiExample `json:"examples"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema   *schema                   `json:"schema"`
			Examples map[string]openapiExample `json:"examples"`
		} `json:"content"`
	} `json:"responses"`
}

type openapiExample struct {
	Summary string          `json:"summary"`
	Status  int             `json:"x-status"`
	Value   json.RawMessage `json:"value"`
}

// schema is the subset of JSON Schema the document uses.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Required             []string           `json:"required"`
	Properties           map[string]*schema `json:"properties"`
	AdditionalProperties *bool              `json:"additionalProperties"`
	Items                *schema            `json:"items"`
	Enum                 []any              `json:"enum"`
	MinLength            *int               `json:"minLength"`
	MaxLength            *int               `json:"maxLength"`
	MinItems             *int               `json:"minItems"`
	MaxItems             *int               `json:"maxItems"`
	Minimum              *float64           `json:"minimum"`
	Maximum              *float64           `json:"maximum"`
	Pattern              string             `json:"pattern"`
}

func loadOpenAPI(t *testing.T) *openapiDoc {
	t.Helper()
	var doc openapiDoc
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
	return &doc
}

// validate checks v (decoded JSON) against s; it returns the problems,
// each with its JSON path.
func (d *openapiDoc) validate(s *schema, v any, path string) []string {
	for s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		next, ok := d.Components.Schemas[name]
		if !ok {
			return []string{path + ": unknown $ref " + s.Ref}
		}
		s = next
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return e == v }) {
		bad("%v not in %v", v, s.Enum)
	}
	switch s.Type {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return errs
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				bad("required field %q missing", r)
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, ok := s.Properties[k]
			if !ok {
				if s.AdditionalProperties != nil && !*s.AdditionalProperties {
					bad("undocumented field %q", k)
				}
				continue
			}
			errs = append(errs, d.validate(ps, obj[k], path+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return errs
		}
		if s.MinItems != nil && len(arr) < *s.MinItems || s.MaxItems != nil && len(arr) > *s.MaxItems {
			bad("%d items out of bounds", len(arr))
		}
		if s.Items != nil {
			for i, x := range arr {
				errs = append(errs, d.validate(s.Items, x, path+"["+strconv.Itoa(i)+"]")...)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("want a string, got %T", v)
			return errs
		}
		if s.MinLength != nil && len(str) < *s.MinLength || s.MaxLength != nil && len(str) > *s.MaxLength {
			bad("length %d out of bounds", len(str))
		}
		if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str) {
			bad("%q does not match %s", str, s.Pattern)
		}
	case "integer", "number":
		n, ok := v.(float64)
		if !ok {
			bad("want a number, got %T", v)
			return errs
		}
		if s.Type == "integer" && n != float64(int64(n)) {
			bad("%v is not an integer", n)
		}
		if s.Minimum != nil && n < *s.Minimum || s.Maximum != nil && n > *s.Maximum {
			bad("%v out of bounds", n)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	}
	return errs
}

func decodeAny(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("not JSON: %v: %.300s", err, data)
	}
	return v
}

// TestOpenAPIExamples sends every example request of the document and
// checks the answer's status (the example's x-status) and its body
// against the documented response schema.
func TestOpenAPIExamples(t *testing.T) {
	doc := loadOpenAPI(t)
	e := newEnv(t, envConfig{})
	sent := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.RequestBody == nil {
				continue
			}
			media, ok := op.RequestBody.Content["application/json"]
			if !ok || len(media.Examples) == 0 {
				t.Errorf("%s %s: no application/json request examples", method, path)
				continue
			}
			for name, ex := range media.Examples {
				t.Run(op.OperationID+"/"+name, func(t *testing.T) {
					if ex.Status == 0 {
						t.Fatal("example without x-status")
					}
					// A request example that should pass must match the request schema, one
					// that should fail need not.
					if problems := doc.validate(media.Schema, decodeAny(t, ex.Value), "request"); ex.Status == 200 && len(problems) > 0 {
						t.Errorf("the example does not match the request schema: %v", problems)
					}
					resp, data := e.do(strings.ToUpper(method), path, string(ex.Value))
					sent++
					if resp.StatusCode != ex.Status {
						t.Fatalf("%s, want %d: %.300s", resp.Status, ex.Status, data)
					}
					documented, ok := op.Responses[strconv.Itoa(resp.StatusCode)]
					if !ok {
						t.Fatalf("status %d is not documented", resp.StatusCode)
					}
					rs := documented.Content["application/json"].Schema
					if rs == nil {
						t.Fatalf("status %d has no application/json schema", resp.StatusCode)
					}
					if problems := doc.validate(rs, decodeAny(t, data), "response"); len(problems) > 0 {
						t.Errorf("the answer does not match the documented schema:\n%s\n%s", strings.Join(problems, "\n"), data)
					}
				})
			}
		}
	}
	if sent == 0 {
		t.Fatal("no example sent")
	}
}

// TestOpenAPIResponseExamples checks the document's own response
// examples against their schemas, and the GET endpoints' answers.
func TestOpenAPIResponseExamples(t *testing.T) {
	doc := loadOpenAPI(t)
	e := newEnv(t, envConfig{})
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for status, r := range op.Responses {
				for mt, c := range r.Content {
					for name, ex := range c.Examples {
						if problems := doc.validate(c.Schema, decodeAny(t, ex.Value), "example"); len(problems) > 0 {
							t.Errorf("%s %s %s %s example %s: %v", method, path, status, mt, name, problems)
						}
					}
				}
			}
			if method != "get" {
				continue
			}
			resp, data := e.do(http.MethodGet, path, "")
			r, ok := op.Responses[strconv.Itoa(resp.StatusCode)]
			if !ok {
				t.Errorf("GET %s: status %d not documented", path, resp.StatusCode)
				continue
			}
			if c, ok := r.Content["application/json"]; ok && c.Schema != nil {
				if problems := doc.validate(c.Schema, decodeAny(t, data), "response"); len(problems) > 0 {
					t.Errorf("GET %s: %v", path, problems)
				}
			}
		}
	}
}

// TestOpenAPIDocumentsEveryRoute checks that the document's paths are
// exactly the server's.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	e := newEnv(t, envConfig{})
	want := []string{"/healthz", "/metrics", "/readyz", "/v1/moderate", "/v1/moderate/batch", "/v1/openapi.json"}
	var got []string
	for p := range doc.Paths {
		got = append(got, p)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("documented paths %v, want %v", got, want)
	}
	for _, p := range want {
		if resp, data := e.do(http.MethodOptions, p, ""); resp.StatusCode == http.StatusNotFound {
			t.Errorf("%s is documented but not served: %s", p, data)
		}
	}
	resp, data := e.do(http.MethodGet, "/v1/openapi.json", "")
	if resp.StatusCode != 200 || !bytes.Equal(data, httpapi.OpenAPI()) {
		t.Errorf("GET /v1/openapi.json: %s, %d bytes", resp.Status, len(data))
	}
}

// TestSchemaValidator checks that the validator the tests above rely on
// does catch problems.
func TestSchemaValidator(t *testing.T) {
	doc := loadOpenAPI(t)
	ref := &schema{Ref: "#/components/schemas/ModerateResponse"}
	good := `{"action":"allow","categories":[],"language":"fr","language_source":"default","language_confidence":0,"matches":[],"dry_run":false,"rules_version":"defaults"}`
	if p := doc.validate(ref, decodeAny(t, []byte(good)), "r"); len(p) > 0 {
		t.Fatalf("a valid answer refused: %v", p)
	}
	for _, bad := range []string{
		`{"categories":[],"language":"fr","language_source":"default","language_confidence":0,"matches":[],"dry_run":false,"rules_version":"d"}`,
		`{"action":"delete","categories":[],"language":"fr","language_source":"default","language_confidence":0,"matches":[],"dry_run":false,"rules_version":"d"}`,
		`{"action":"allow","categories":[],"language":"fr","language_source":"default","language_confidence":0,"matches":[],"dry_run":false,"rules_version":"d","extra":1}`,
		`{"action":"allow","categories":[{"name":"insult"}],"language":"fr","language_source":"default","language_confidence":0,"matches":[],"dry_run":false,"rules_version":"d"}`,
		`{"action":"allow","categories":[],"language":"fr","language_source":"default","language_confidence":2,"matches":[],"dry_run":"no","rules_version":"d"}`,
	} {
		if p := doc.validate(ref, decodeAny(t, []byte(bad)), "r"); len(p) == 0 {
			t.Errorf("an invalid answer passed: %s", bad)
		}
	}
}
