//! The one scanner of JSON strings (escapes included), for what reads JSON a byte at a time
//! without parsing it: the nesting guard of JSON-LD input (`store::rdf_bounds`) and the
//! JSON-LD compactor (`query::jsonld`).

/// Where a byte of JSON text stands with regard to its strings.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonStrings {
    in_string: bool,
    escaped: bool,
}

/// A byte of JSON text, as [`JsonStrings::step`] places it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonByte {
    /// Outside strings: structure, numbers, literals, white space.
    Outside,
    /// The quote that opens a string.
    Open,
    /// Inside a string (an escape and the byte it escapes included).
    Inside,
    /// The quote that closes a string.
    Close,
}

impl JsonStrings {
    pub fn step(&mut self, b: u8) -> JsonByte {
        if !self.in_string {
            self.in_string = b == b'"';
            return if self.in_string {
                JsonByte::Open
            } else {
                JsonByte::Outside
            };
        }
        match (self.escaped, b) {
            (true, _) => self.escaped = false,
            (false, b'\\') => self.escaped = true,
            (false, b'"') => {
                self.in_string = false;
                return JsonByte::Close;
            }
            _ => {}
        }
        JsonByte::Inside
    }
}
