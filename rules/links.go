package rules

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/links"
)

// linksLayer is a file's `links:` section.
type linksLayer struct {
	allow        []string
	block        []blockList
	lists        []links.List
	adultTLDs    []string
	keywords     []string
	keywordAllow []string
	shorteners   []string
}

// blockList is the `block:` domains of one category.
type blockList struct {
	category filters.Category
	domains  []string
}

// listFormats are the formats of domain list files.
var listFormats = []string{"ut1", "hosts"}

func (d *fileDecoder) links(n *yaml.Node) {
	L := &d.l.links
	domains := func(what string, dst *[]string) func(*yaml.Node) {
		return func(v *yaml.Node) {
			var list []string
			d.strs(v, what, func(s string, item *yaml.Node) {
				dom, err := normDomain(s)
				if err != nil {
					d.errorf(item, "%s: %v", what, err)
					return
				}
				list = append(list, dom)
			})
			*dst = appendUnique(*dst, list...)
		}
	}
	labels := func(what string, dst *[]string, trimDot bool) func(*yaml.Node) {
		return func(v *yaml.Node) {
			var list []string
			d.strs(v, what, func(s string, item *yaml.Node) {
				l := strings.ToLower(strings.TrimSpace(s))
				if trimDot {
					l = strings.TrimPrefix(l, ".")
				}
				if err := checkLabel(l); err != nil {
					d.errorf(item, "%s: bad value %q: %v", what, s, err)
					return
				}
				list = append(list, l)
			})
			*dst = appendUnique(*dst, list...)
		}
	}
	d.fields(n, "links", map[string]func(*yaml.Node){
		"allow_domains": domains("links.allow_domains", &L.allow),
		"shorteners":    domains("links.shorteners", &L.shorteners),
		"adult_tlds":    labels("links.adult_tlds", &L.adultTLDs, true),
		"keywords":      labels("links.keywords", &L.keywords, false),
		"keyword_allow": labels("links.keyword_allow", &L.keywordAllow, false),
		"block": func(v *yaml.Node) {
			d.entries(v, "links.block", func(cat string, k, v *yaml.Node) {
				if !d.checkCategoryKey(cat, k, "links.block") {
					return
				}
				b := blockList{category: filters.Category(cat)}
				domains("links.block."+cat, &b.domains)(v)
				L.block = append(L.block, b)
			})
		},
		"lists": func(v *yaml.Node) {
			d.items(v, "links.lists", func(i int, item *yaml.Node) {
				d.linkList(item, fmt.Sprintf("links.lists[%d]", i))
			})
		},
	})
}

// linkList decodes a list file entry and reads the file.
func (d *fileDecoder) linkList(n *yaml.Node, what string) {
	var (
		p, format string
		cat       filters.Category
		pathNode  *yaml.Node
		ok        = true
	)
	keys := d.fields(n, what, map[string]func(*yaml.Node){
		"path": func(v *yaml.Node) {
			var good bool
			p, good = d.str(v, what+".path")
			if good && strings.TrimSpace(p) == "" {
				d.errorf(v, "%s.path: empty path", what)
				good = false
			}
			pathNode, ok = v, ok && good
		},
		"format": func(v *yaml.Node) {
			var good bool
			format, good = d.oneOf(v, what+".format", listFormats...)
			ok = ok && good
		},
		"category": func(v *yaml.Node) {
			var good bool
			cat, good = d.category(v, what+".category")
			ok = ok && good
		},
	})
	d.require(n, keys, what, "path", "format", "category")
	if !ok || keys["path"] == nil || keys["format"] == nil || keys["category"] == nil {
		return
	}
	rc, disk, err := d.src.open(p)
	if err != nil {
		d.errorf(pathNode, "%s.path: %v", what, err)
		return
	}
	defer rc.Close()
	domains, err := links.ParseList(rc, format, p)
	if err != nil {
		// A *links.ListError reads "PATH:LINE: msg".
		d.errorf(pathNode, "%s: list file %v", what, err)
		return
	}
	d.l.links.lists = append(d.l.links.lists, links.List{Name: p, Category: string(cat), Domains: domains})
	if disk != "" {
		d.l.files = append(d.l.files, disk)
	}
}
