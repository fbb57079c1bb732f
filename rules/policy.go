package rules

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/template/parse"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
)

// classEntry is a class as written, with its policy overrides still to
// apply over the default policy.
type classEntry struct {
	bot.Class
	patches []func(*bot.Policy)
}

// helplineEntry is a helpline of one locale.
type helplineEntry struct {
	locale string
	bot.Helpline
}

// helplineWhen are the situations a helpline may be shown for.
var helplineWhen = []string{"always", "self_harm", "danger", "illegal_content"}

// escalationModes are the values of policy.escalation.mode.
var escalationModes = []string{"timeout", "remove_from_channel", "alert_only"}

// maxSecretSize bounds a webhook secret file.
const maxSecretSize = 64 << 10

// policy decodes a policy section into patches applied in order to the
// policy below it. appendLists is true for the top-level policy, whose
// lists append to those of the defaults; a class's lists replace the
// default's (a class overrides only the keys it gives).
func (d *fileDecoder) policy(n *yaml.Node, what string, appendLists bool) []func(*bot.Policy) {
	var patches []func(*bot.Policy)
	patch := func(f func(*bot.Policy)) { patches = append(patches, f) }
	str := func(key string, check func(string) error, field func(*bot.Policy) *string) func(*yaml.Node) {
		return func(v *yaml.Node) {
			s, ok := d.str(v, what+"."+key)
			if !ok {
				return
			}
			if check != nil {
				if err := check(s); err != nil {
					d.errorf(v, "%s.%s: %v", what, key, err)
					return
				}
			}
			if key == "locale" {
				d.l.locales = append(d.l.locales, ref{value: s, at: d.at(v)})
			}
			patch(func(p *bot.Policy) { *field(p) = s })
		}
	}
	boolean := func(key string, field func(*bot.Policy) *bool) func(*yaml.Node) {
		return func(v *yaml.Node) {
			if b, ok := d.boolean(v, what+"."+key); ok {
				patch(func(p *bot.Policy) { *field(p) = b })
			}
		}
	}
	list := func(key string, field func(*bot.Policy) *[]string) func(*yaml.Node) {
		return func(v *yaml.Node) {
			vals := []string{}
			d.strs(v, what+"."+key, func(s string, _ *yaml.Node) { vals = appendUnique(vals, s) })
			patch(func(p *bot.Policy) {
				if appendLists {
					*field(p) = appendUnique(slices.Clone(*field(p)), vals...)
				} else {
					*field(p) = slices.Clone(vals)
				}
			})
		}
	}
	duration := func(key string, field func(*bot.Policy) *time.Duration) func(*yaml.Node) {
		return func(v *yaml.Node) {
			if t, ok := d.duration(v, what+"."+key); ok {
				patch(func(p *bot.Policy) { *field(p) = t })
			}
		}
	}
	d.fields(n, what, map[string]func(*yaml.Node){
		"locale":         str("locale", checkLocale, func(p *bot.Policy) *string { return &p.Locale }),
		"lang":           str("lang", checkLang, func(p *bot.Policy) *string { return &p.Lang }),
		"dry_run":        boolean("dry_run", func(p *bot.Policy) *bool { return &p.DryRun }),
		"notify_author":  boolean("notify_author", func(p *bot.Policy) *bool { return &p.NotifyAuthor }),
		"notify_targets": boolean("notify_targets", func(p *bot.Policy) *bool { return &p.NotifyTargets }),
		"exempt_bots":    boolean("exempt_bots", func(p *bot.Policy) *bool { return &p.ExemptBots }),
		"alert_channel":  str("alert_channel", nil, func(p *bot.Policy) *string { return &p.AlertChannel }),
		"alert_users":    list("alert_users", func(p *bot.Policy) *[]string { return &p.AlertUsers }),
		"alert_roles":    list("alert_roles", func(p *bot.Policy) *[]string { return &p.AlertRoles }),
		"teacher_roles":  list("teacher_roles", func(p *bot.Policy) *[]string { return &p.TeacherRoles }),
		"exempt_roles":   list("exempt_roles", func(p *bot.Policy) *[]string { return &p.ExemptRoles }),
		"exempt_users":   list("exempt_users", func(p *bot.Policy) *[]string { return &p.ExemptUsers }),
		"group_window":   duration("group_window", func(p *bot.Policy) *time.Duration { return &p.GroupWindow }),
		"notice_ttl":     duration("notice_ttl", func(p *bot.Policy) *time.Duration { return &p.NoticeTTL }),
		"actions": func(v *yaml.Node) {
			acts := d.actions(v, what+".actions")
			patch(func(p *bot.Policy) {
				m := maps.Clone(p.Actions)
				if m == nil {
					m = make(map[filters.Category]filters.Action, len(acts))
				}
				maps.Copy(m, acts)
				p.Actions = m
			})
		},
		"escalation": func(v *yaml.Node) {
			w := what + ".escalation"
			d.fields(v, w, map[string]func(*yaml.Node){
				"after": func(v *yaml.Node) {
					if i, ok := d.integer(v, w+".after", 0, 1000); ok {
						patch(func(p *bot.Policy) { p.Escalation.After = i })
					}
				},
				"window": func(v *yaml.Node) {
					if t, ok := d.duration(v, w+".window"); ok {
						patch(func(p *bot.Policy) { p.Escalation.Window = t })
					}
				},
				"duration": func(v *yaml.Node) {
					if t, ok := d.duration(v, w+".duration"); ok {
						patch(func(p *bot.Policy) { p.Escalation.Duration = t })
					}
				},
				"mode": func(v *yaml.Node) {
					if s, ok := d.oneOf(v, w+".mode", escalationModes...); ok {
						patch(func(p *bot.Policy) { p.Escalation.Mode = s })
					}
				},
			})
		},
		"webhook": func(v *yaml.Node) {
			if f := d.webhook(v, what+".webhook"); f != nil {
				patch(f)
			}
		},
	})
	return patches
}

// webhook decodes a webhook and resolves its secret now, so that a
// missing variable or file is a load error rather than a failed alert.
func (d *fileDecoder) webhook(n *yaml.Node, what string) func(*bot.Policy) {
	var (
		u, secret string
		ok        = true
		hasSecret bool
	)
	// secretFrom reads the secret that the key's value names.
	secretFrom := func(key string, read func(name string) (string, error)) func(*yaml.Node) {
		return func(v *yaml.Node) {
			if hasSecret {
				d.errorf(v, "%s: give secret_env or secret_file, not both", what)
				ok = false
				return
			}
			hasSecret = true
			name, good := d.str(v, what+"."+key)
			if !good {
				ok = false
				return
			}
			s, err := read(name)
			if err != nil {
				d.errorf(v, "%s.%s: %v", what, key, err)
				ok = false
				return
			}
			secret = s
		}
	}
	seen := d.fields(n, what, map[string]func(*yaml.Node){
		"url": func(v *yaml.Node) {
			s, good := d.httpURL(v, what+".url")
			u, ok = s, ok && good
		},
		"secret_env":  secretFrom("secret_env", envSecret),
		"secret_file": secretFrom("secret_file", d.readSecret),
		"secret": func(v *yaml.Node) {
			d.errorf(v, "%s.secret: secrets are never written in the rules file: name an environment variable with secret_env or a file with secret_file", what)
			ok = false
		},
	})
	if _, has := seen["url"]; has && !hasSecret && ok {
		d.errorf(n, "%s: alerts are signed: give secret_env or secret_file with the url", what)
		return nil
	}
	if !ok {
		return nil
	}
	return func(p *bot.Policy) {
		if u != "" {
			p.Webhook.URL = u
		}
		if hasSecret {
			p.Webhook.Secret = secret
		}
	}
}

// envSecret reads a secret from an environment variable. Errors name
// the variable, never its value.
func envSecret(name string) (string, error) {
	val, set := os.LookupEnv(name)
	if !set || strings.TrimSpace(val) == "" {
		return "", fmt.Errorf("environment variable %s is not set or empty", name)
	}
	return val, nil
}

// readSecret reads a secret file. Errors name the file, never its
// content.
func (d *fileDecoder) readSecret(path string) (string, error) {
	rc, disk, err := d.src.open(path)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxSecretSize+1))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > maxSecretSize {
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxSecretSize)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	if disk != "" {
		d.l.files = append(d.l.files, disk)
	}
	return s, nil
}

var platforms = []string{string(bot.Discord), string(bot.Mattermost), string(bot.HTTP)}

func (d *fileDecoder) classes(n *yaml.Node) {
	d.l.hasClasses = true
	seen := map[string]int{}
	d.items(n, "classes", func(i int, item *yaml.Node) {
		what := fmt.Sprintf("classes[%d]", i)
		var c classEntry
		ok := true
		keys := d.fields(item, what, map[string]func(*yaml.Node){
			"name": func(v *yaml.Node) {
				var good bool
				c.Name, good = d.str(v, what+".name")
				ok = ok && good
			},
			"platform": func(v *yaml.Node) {
				s, good := d.oneOf(v, what+".platform", platforms...)
				c.Platform, ok = bot.Platform(s), ok && good
			},
			"id": func(v *yaml.Node) {
				s, good := d.str(v, what+".id")
				if good && strings.TrimSpace(s) == "" {
					d.errorf(v, "%s.id: empty id", what)
					good = false
				}
				c.ID, ok = s, ok && good
			},
			"channels": func(v *yaml.Node) {
				c.Channels = []string{}
				d.strs(v, what+".channels", func(s string, _ *yaml.Node) { c.Channels = appendUnique(c.Channels, s) })
			},
			"policy": func(v *yaml.Node) {
				c.patches = d.policy(v, what+".policy", false)
			},
		})
		d.require(item, keys, what, "name", "platform", "id")
		if !ok || keys["name"] == nil || keys["platform"] == nil || keys["id"] == nil {
			return
		}
		chans := slices.Clone(c.Channels)
		slices.Sort(chans)
		key := string(c.Platform) + "\x00" + c.ID + "\x00" + strings.Join(chans, "\x00")
		if line, dup := seen[key]; dup {
			d.errorf(item, "%s: class %q has the same platform, id and channels as the class at line %d", what, c.Name, line)
			return
		}
		seen[key] = item.Line
		d.l.classes = append(d.l.classes, c)
	})
}

func (d *fileDecoder) texts(n *yaml.Node) {
	d.l.texts = bot.Texts{}
	d.entries(n, "texts", func(locale string, k, v *yaml.Node) {
		if err := checkLocale(locale); err != nil {
			d.errorf(k, "texts: %v", err)
			return
		}
		m := map[string]string{}
		d.entries(v, "texts."+locale, func(key string, k, v *yaml.Node) {
			what := "texts." + locale + "." + key
			s, ok := d.str(v, what)
			if !ok {
				return
			}
			if err := checkTemplate(what, s); err != nil {
				d.errorf(v, "%s: bad template: %v", what, err)
				return
			}
			m[key] = s
		})
		d.l.texts[locale] = m
	})
}

// checkTemplate checks the syntax of a text/template without knowing
// the functions the bot will give it.
func checkTemplate(name, s string) error {
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck
	if _, err := t.Parse(s, "", "", map[string]*parse.Tree{}); err != nil {
		// "template: NAME:LINE: msg" → "line LINE: msg"
		return errors.New(strings.Replace(err.Error(), "template: "+name+":", "line ", 1))
	}
	return nil
}

func (d *fileDecoder) helplines(n *yaml.Node) {
	d.entries(n, "helplines", func(locale string, k, v *yaml.Node) {
		if err := checkLocale(locale); err != nil {
			d.errorf(k, "helplines: %v", err)
			return
		}
		names := map[string]int{}
		d.items(v, "helplines."+locale, func(i int, item *yaml.Node) {
			what := fmt.Sprintf("helplines.%s[%d]", locale, i)
			h := helplineEntry{locale: locale}
			ok := true
			str := func(key string, dst *string) func(*yaml.Node) {
				return func(v *yaml.Node) {
					var good bool
					*dst, good = d.str(v, what+"."+key)
					ok = ok && good
				}
			}
			keys := d.fields(item, what, map[string]func(*yaml.Node){
				"name":        str("name", &h.Name),
				"number":      str("number", &h.Number),
				"description": str("description", &h.Description),
				"url": func(v *yaml.Node) {
					s, good := d.httpURL(v, what+".url")
					h.URL, ok = s, ok && good
				},
				"when": func(v *yaml.Node) {
					h.When = []string{}
					d.items(v, what+".when", func(j int, item *yaml.Node) {
						s, good := d.oneOf(item, fmt.Sprintf("%s.when[%d]", what, j), helplineWhen...)
						ok = ok && good
						h.When = appendUnique(h.When, s)
					})
				},
			})
			d.require(item, keys, what, "name")
			if keys["number"] == nil && keys["url"] == nil && item.Kind == yaml.MappingNode {
				d.errorf(item, "%s: give a number or a url", what)
				ok = false
			}
			if !ok || keys["name"] == nil {
				return
			}
			if line, dup := names[h.Name]; dup {
				d.errorf(item, "%s: helpline %q is already listed at line %d", what, h.Name, line)
				return
			}
			names[h.Name] = item.Line
			d.l.helplines = append(d.l.helplines, h)
		})
	})
}

// httpURL reads an http:// or https:// URL.
func (d *fileDecoder) httpURL(n *yaml.Node, what string) (string, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		d.errorf(n, "%s: want an http:// or https:// URL", what)
		return "", false
	}
	return s, true
}
