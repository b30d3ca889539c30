//! The e-invoice inside a Factur-X / ZUGFeRD / XRechnung hybrid PDF: the XML found through the PDF's
//! embedded files, the document's associated files (`/AF`) first, then the `/EmbeddedFiles` name tree.
//!
//! The input is untrusted: it is size-limited before lopdf reads it, every decompression is bounded,
//! name trees are walked with a depth limit and each node once, and whatever lopdf cannot read is an
//! [`ExtractError`], never a panic.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

/// The largest PDF read: four times the largest invoice PDF Remit renders, and far beyond any
/// hybrid invoice seen in practice.
pub const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;
/// The largest embedded XML (decompressed) read.
pub const MAX_XML_BYTES: usize = 16 * 1024 * 1024;
/// The names the hybrid formats give the embedded invoice, compared without regard to case:
/// Factur-X and ZUGFeRD 2.1+, ZUGFeRD 2.0, ZUGFeRD 1, XRechnung in ZUGFeRD.
pub const INVOICE_FILE_NAMES: [&str; 4] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "ZUGFeRD-invoice.xml",
    "xrechnung.xml",
];
/// How deep a name tree is walked; real ones are one or two levels.
const MAX_TREE_DEPTH: usize = 32;

/// The invoice XML embedded in a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedXml {
    /// The name the PDF gives it, e.g. `factur-x.xml`.
    pub file_name: String,
    /// The decoded bytes, at most [`MAX_XML_BYTES`].
    pub xml: Vec<u8>,
}

/// Why no invoice XML could be taken from the bytes.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("the PDF is {size} bytes; at most {max} bytes are read", max = MAX_PDF_BYTES)]
    TooLarge { size: usize },
    #[error("not a PDF: the file does not start with %PDF-")]
    NotPdf,
    #[error("the PDF cannot be read: {0}")]
    Unreadable(#[source] lopdf::Error),
    #[error(
        "the PDF has no embedded invoice named {expected} (embedded files: {found})",
        expected = INVOICE_FILE_NAMES.join(", "),
        found = listed(.found)
    )]
    NoInvoice {
        /// The names of the embedded files the PDF has.
        found: Vec<String>,
    },
    #[error("the embedded {file_name} cannot be decoded: {source}")]
    Attachment {
        file_name: String,
        #[source]
        source: lopdf::Error,
    },
}

fn listed(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Whether `bytes` are a PDF (start with the `%PDF-` header).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// The invoice XML embedded in the PDF `pdf`: the first embedded file with one of the
/// [`INVOICE_FILE_NAMES`], looked for in the catalogue's `/AF` and then in its `/EmbeddedFiles`.
pub fn embedded_invoice(pdf: &[u8]) -> Result<EmbeddedXml, ExtractError> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(ExtractError::TooLarge { size: pdf.len() });
    }
    if !is_pdf(pdf) {
        return Err(ExtractError::NotPdf);
    }
    let document = Document::load_mem_with_options(
        pdf,
        LoadOptions::with_max_decompressed_size(MAX_XML_BYTES),
    )
    .map_err(ExtractError::Unreadable)?;
    let catalog = document.catalog().map_err(ExtractError::Unreadable)?;
    let files = file_specs(&document, catalog);
    let mut found = Vec::new();
    for (name, spec) in files {
        if INVOICE_FILE_NAMES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(&name))
        {
            let xml = contents(&document, spec).map_err(|source| ExtractError::Attachment {
                file_name: name.clone(),
                source,
            })?;
            return Ok(EmbeddedXml {
                file_name: name,
                xml,
            });
        }
        if !found.contains(&name) {
            found.push(name);
        }
    }
    Err(ExtractError::NoInvoice { found })
}

/// The file specifications of the catalogue's `/AF` and `/EmbeddedFiles`, with their names; entries
/// that are not file specifications are skipped.
fn file_specs<'a>(
    document: &'a Document,
    catalog: &'a Dictionary,
) -> Vec<(String, &'a Dictionary)> {
    let mut specs = Vec::new();
    if let Ok(af) = deref(document, catalog.get(b"AF")).and_then(Object::as_array) {
        specs.extend(af.iter().filter_map(|o| named_spec(document, o, None)));
    }
    let tree = deref(document, catalog.get(b"Names"))
        .and_then(Object::as_dict)
        .and_then(|names| deref(document, names.get(b"EmbeddedFiles")))
        .and_then(Object::as_dict);
    if let Ok(tree) = tree {
        let mut seen = HashSet::new();
        walk_name_tree(document, tree, 0, &mut seen, &mut specs);
    }
    specs
}

/// Collects the leaves of a name tree node (`/Names [key value …]`, `/Kids [node …]`).
fn walk_name_tree<'a>(
    document: &'a Document,
    node: &'a Dictionary,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    specs: &mut Vec<(String, &'a Dictionary)>,
) {
    if depth > MAX_TREE_DEPTH {
        return;
    }
    if let Ok(names) = deref(document, node.get(b"Names")).and_then(Object::as_array) {
        for pair in names.chunks_exact(2) {
            let key = lopdf::decode_text_string(&pair[0]).ok();
            specs.extend(named_spec(document, &pair[1], key));
        }
    }
    let Ok(kids) = deref(document, node.get(b"Kids")).and_then(Object::as_array) else {
        return;
    };
    for kid in kids {
        if let Object::Reference(id) = kid
            && !seen.insert(*id)
        {
            continue;
        }
        if let Ok(kid) = document.dereference(kid).and_then(|(_, o)| o.as_dict()) {
            walk_name_tree(document, kid, depth + 1, seen, specs);
        }
    }
}

/// A file specification and its name: `/UF`, else `/F`, else the name tree's key.
fn named_spec<'a>(
    document: &'a Document,
    object: &'a Object,
    key: Option<String>,
) -> Option<(String, &'a Dictionary)> {
    let spec = document.dereference(object).ok()?.1.as_dict().ok()?;
    let name = [b"UF".as_slice(), b"F"]
        .iter()
        .find_map(|k| {
            let value = deref(document, spec.get(k)).ok()?;
            lopdf::decode_text_string(value).ok()
        })
        .or(key)?;
    Some((name, spec))
}

/// The decoded bytes of a file specification's embedded file (`/EF /F`, else `/EF /UF`).
fn contents(document: &Document, spec: &Dictionary) -> Result<Vec<u8>, lopdf::Error> {
    let ef = deref(document, spec.get(b"EF"))?.as_dict()?;
    let stream = deref(document, ef.get(b"F"))
        .or_else(|_| deref(document, ef.get(b"UF")))?
        .as_stream()?;
    stream.get_plain_content_with_limit(MAX_XML_BYTES)
}

/// The object behind `object`, following references.
fn deref<'a>(
    document: &'a Document,
    object: Result<&'a Object, lopdf::Error>,
) -> Result<&'a Object, lopdf::Error> {
    Ok(document.dereference(object?)?.1)
}
