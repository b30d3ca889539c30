//! A small element tree over quick-xml, and the text escaping the writers use.
//!
//! E-invoices are small (the largest in the corpus is 111 kB, most of it an embedded PDF), so the reader
//! builds the whole tree and the syntax readers navigate it by namespace and local name, which also lets
//! a rule test set hand each of its embedded invoices to the same reader. Nothing is fetched or expanded:
//! a DOCTYPE is ignored and an entity other than the five predefined ones is an error, so a hostile file
//! cannot make the reader grow without bound; nesting is limited to [`MAX_DEPTH`] levels.

use quick_xml::NsReader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::ParseError;

/// Deeper than any e-invoice nests (UBL reaches about ten levels, a rule test set adds two).
pub const MAX_DEPTH: usize = 64;

/// One element: its namespace and local name, attributes by local name, text and children in order.
#[derive(Debug, Default)]
pub struct Element {
    pub ns: String,
    pub name: String,
    attrs: Vec<(String, String)>,
    text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The element's own text, trimmed (XML whitespace around a value is not part of it).
    pub fn text(&self) -> &str {
        self.text.trim()
    }

    /// An attribute by local name, trimmed.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }

    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// The first child with this namespace and local name.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    /// Every child with this namespace and local name, in document order.
    pub fn all<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Follows a path of children, each step the first match.
    pub fn path(&self, steps: &[(&str, &str)]) -> Option<&Element> {
        steps
            .iter()
            .try_fold(self, |el, (ns, name)| el.child(ns, name))
    }

    /// The trimmed text at a path, when the element exists.
    pub fn text_at(&self, steps: &[(&str, &str)]) -> Option<&str> {
        self.path(steps).map(Element::text)
    }

    /// The first attribute named `name` in this subtree, depth first.
    pub fn find_attr(&self, name: &str) -> Option<&str> {
        self.attr(name)
            .or_else(|| self.children.iter().find_map(|c| c.find_attr(name)))
    }
}

/// Parses well-formed XML into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, ParseError> {
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().expand_empty_elements = true;
    let mut buf = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let position = reader.buffer_position();
        let xml_error = |message: String| ParseError::Xml { position, message };
        let (resolved, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| xml_error(e.to_string()))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::TooDeep { max: MAX_DEPTH });
                }
                let ns = match resolved {
                    ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
                    ResolveResult::Unbound => String::new(),
                    ResolveResult::Unknown(prefix) => {
                        return Err(xml_error(format!(
                            "unknown namespace prefix {}",
                            String::from_utf8_lossy(&prefix)
                        )));
                    }
                };
                if root.is_some() {
                    return Err(xml_error("content after the root element".into()));
                }
                stack.push(element(ns, &start).map_err(xml_error)?);
            }
            Event::End(_) => {
                let done = stack
                    .pop()
                    .ok_or_else(|| xml_error("unmatched end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(text) => {
                let decoded = text.xml_content().map_err(|e| xml_error(e.to_string()))?;
                push_text(&mut stack, &decoded);
            }
            Event::CData(cdata) => {
                let decoded = cdata.decode().map_err(|e| xml_error(e.to_string()))?;
                push_text(&mut stack, &decoded);
            }
            Event::GeneralRef(reference) => {
                let resolved_char = reference
                    .resolve_char_ref()
                    .map_err(|e| xml_error(e.to_string()))?;
                let name = reference.decode().map_err(|e| xml_error(e.to_string()))?;
                let text = match resolved_char {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&name)
                        .ok_or_else(|| xml_error(format!("unknown entity &{name};")))?
                        .to_owned(),
                };
                push_text(&mut stack, &text);
            }
            Event::Eof => break,
            Event::Empty(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(ParseError::Xml {
            position: reader.buffer_position(),
            message: "unexpected end of input inside an element".into(),
        });
    }
    root.ok_or(ParseError::Xml {
        position: 0,
        message: "no root element".into(),
    })
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    }
}

fn element(ns: String, start: &BytesStart<'_>) -> Result<Element, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr.unescape_value().map_err(|e| e.to_string())?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        ns,
        name,
        attrs,
        ..Element::default()
    })
}

/// Builds XML text: elements with escaped text and attributes, indented two spaces per level.
pub struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    /// Starts a document with the XML declaration and the root element's namespace declarations.
    pub fn new(root: &str, namespaces: &[(&str, &str)]) -> Self {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        out.push_str(root);
        for (prefix, uri) in namespaces {
            out.push_str(" xmlns");
            if !prefix.is_empty() {
                out.push(':');
                out.push_str(prefix);
            }
            out.push_str("=\"");
            out.push_str(&escape(*uri));
            out.push('"');
        }
        out.push_str(">\n");
        Self { out, depth: 1 }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// Opens an element that will have children.
    pub fn open(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// A leaf element with text and attributes (attributes whose value is empty are left out).
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs.iter().filter(|(_, v)| !v.is_empty()) {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(&escape(*value));
            self.out.push('"');
        }
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// A leaf element when the value is present.
    pub fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, &[], text);
        }
    }

    /// Closes the root element and returns the document.
    pub fn finish(mut self, root: &str) -> String {
        self.out.push_str("</");
        self.out.push_str(root);
        self.out.push_str(">\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_resolve_by_uri_not_by_prefix() {
        let root = parse(br#"<a:Root xmlns:a="urn:x" xmlns="urn:y"><Child k="v &amp; w">1 &lt; 2</Child><a:Other/></a:Root>"#).unwrap();
        assert!(root.is("urn:x", "Root"));
        let child = root.child("urn:y", "Child").unwrap();
        assert_eq!((child.text(), child.attr("k")), ("1 < 2", Some("v & w")));
        assert!(root.child("urn:x", "Other").is_some());
        assert!(root.child("urn:y", "Other").is_none());
    }

    #[test]
    fn malformed_input_is_an_error_naming_the_position() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"",
            b"<a/><b/>",
            b"<x:a/>",
            b"<a>&unknown;</a>",
            b"<a>\xff</a>",
        ] {
            assert!(
                matches!(parse(bad), Err(ParseError::Xml { .. })),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err(),
            ParseError::TooDeep { max: MAX_DEPTH }
        );
        let fine = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(fine.as_bytes()).is_ok());
    }

    #[test]
    fn the_writer_escapes_what_the_reader_unescapes() {
        let mut w = Writer::new("r", &[("", "urn:r")]);
        w.open("p");
        w.leaf("q", &[("k", "a\"<b"), ("empty", "")], "x & <y>");
        w.close("p");
        let text = w.finish("r");
        assert!(!text.contains("empty="));
        let root = parse(text.as_bytes()).unwrap();
        let q = root.path(&[("urn:r", "p"), ("urn:r", "q")]).unwrap();
        assert_eq!((q.text(), q.attr("k")), ("x & <y>", Some("a\"<b")));
    }
}
