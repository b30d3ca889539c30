//! The Factur-X declaration in the XMP metadata: the `fx:` properties (document type, file name,
//! version, conformance level) and the PDF/A extension schema that declares them, as Factur-X 1.0
//! requires. krilla writes the XMP but cannot add custom properties, so this is a post-step on the
//! finished PDF with lopdf: the metadata stream is replaced, nothing else changes, and the result
//! depends only on its input.

use lopdf::{Document, Object};

use crate::RenderError;

const NAMESPACE: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

/// The PDF/A extension schema that declares the `fx:` properties: one `rdf:li` of
/// `pdfaExtension:schemas`.
fn schema() -> String {
    let property = |name: &str, description: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\">\
<pdfaProperty:name>{name}</pdfaProperty:name>\
<pdfaProperty:valueType>Text</pdfaProperty:valueType>\
<pdfaProperty:category>external</pdfaProperty:category>\
<pdfaProperty:description>{description}</pdfaProperty:description>\
</rdf:li>"
        )
    };
    let properties = [
        property("DocumentFileName", "The name of the embedded XML document"),
        property(
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
        ),
        property(
            "Version",
            "The actual version of the standard applying to the embedded XML document",
        ),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded XML document",
        ),
    ]
    .concat();
    format!(
        "<rdf:li rdf:parseType=\"Resource\">\
<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>{NAMESPACE}</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>fx</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>\
</rdf:li>"
    )
}

/// The `fx:` properties of an EN 16931 invoice whose XML is embedded as `file_name`.
fn properties(file_name: &str) -> String {
    format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{NAMESPACE}\">\
<fx:DocumentType>INVOICE</fx:DocumentType>\
<fx:DocumentFileName>{file_name}</fx:DocumentFileName>\
<fx:Version>1.0</fx:Version>\
<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>\
</rdf:Description>"
    )
}

/// The XMP with the Factur-X properties, and their schema added to the extension schemas krilla
/// declares (a second `pdfaExtension:schemas` property would be a duplicate, which XMP forbids).
fn declared(xmp: &str, file_name: &str) -> Result<String, RenderError> {
    const SCHEMAS_END: &str = "</rdf:Bag></pdfaExtension:schemas>";
    let end = xmp
        .rfind("</rdf:RDF>")
        .ok_or_else(|| RenderError::Pdf("the XMP metadata has no rdf:RDF".into()))?;
    let mut out = String::with_capacity(xmp.len() + 2048);
    match xmp[..end].find(SCHEMAS_END) {
        Some(schemas) => {
            out.push_str(&xmp[..schemas]);
            out.push_str(&schema());
            out.push_str(&xmp[schemas..end]);
        }
        None => {
            out.push_str(&xmp[..end]);
            out.push_str(
                "<rdf:Description rdf:about=\"\" \
xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" \
xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\
<pdfaExtension:schemas><rdf:Bag>",
            );
            out.push_str(&schema());
            out.push_str(SCHEMAS_END);
            out.push_str("</rdf:Description>");
        }
    }
    out.push_str(&properties(file_name));
    out.push_str(&xmp[end..]);
    Ok(out)
}

/// `pdf` with the Factur-X properties added to its XMP metadata.
pub fn declare(pdf: &[u8], file_name: &str) -> Result<Vec<u8>, RenderError> {
    let err = |e: lopdf::Error| RenderError::Pdf(format!("Factur-X metadata: {e}"));
    let mut document = Document::load_mem(pdf).map_err(err)?;
    let metadata = document
        .catalog()
        .map_err(err)?
        .get(b"Metadata")
        .and_then(Object::as_reference)
        .map_err(err)?;
    let stream = document
        .get_object_mut(metadata)
        .and_then(Object::as_stream_mut)
        .map_err(err)?;
    let xmp = String::from_utf8(stream.content.clone())
        .map_err(|_| RenderError::Pdf("the XMP metadata is not UTF-8".into()))?;
    stream.set_content(declared(&xmp, file_name)?.into_bytes());
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    document
        .save_to(&mut out)
        .map_err(|e| RenderError::Pdf(format!("Factur-X metadata: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XMP: &str = "<x:xmpmeta><rdf:RDF><rdf:Description rdf:about=\"\">\
<pdfaExtension:schemas><rdf:Bag><rdf:li>krilla's</rdf:li></rdf:Bag></pdfaExtension:schemas>\
</rdf:Description></rdf:RDF></x:xmpmeta>";

    #[test]
    fn the_factur_x_schema_joins_the_extension_schemas_already_declared() {
        let out = declared(XMP, "factur-x.xml").unwrap();
        assert_eq!(out.matches("<pdfaExtension:schemas>").count(), 1, "{out}");
        let schema = out.find("Factur-X PDFA Extension Schema").unwrap();
        assert!(out.find("<rdf:li>krilla's</rdf:li>").unwrap() < schema);
        assert!(schema < out.find("</pdfaExtension:schemas>").unwrap());
        assert!(out.contains("<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>"));
        assert!(out.ends_with("</rdf:Description></rdf:RDF></x:xmpmeta>"));
    }

    #[test]
    fn without_extension_schemas_the_factur_x_schema_brings_its_own() {
        let xmp = "<x:xmpmeta><rdf:RDF></rdf:RDF></x:xmpmeta>";
        let out = declared(xmp, "factur-x.xml").unwrap();
        assert_eq!(out.matches("<pdfaExtension:schemas>").count(), 1, "{out}");
        assert!(out.contains("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"));
        assert!(declared("<x:xmpmeta/>", "factur-x.xml").is_err());
    }
}
