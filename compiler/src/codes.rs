//! The stable diagnostic codes. `docs/errors.md` documents each one; a test keeps the two in step.

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Informational; never fails a check.
    Warning,
    /// The schema cannot be used.
    Error,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $sev:ident, $summary:literal;)*) => {
        /// A stable diagnostic code. Never renumber one: users search for them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $(#[doc = $summary] $variant,)*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, e.g. `E0203`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// Whether the code is an error or a warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
        }
    };
}

codes! {
    // Files and syntax.
    InvalidUtf8 = "E0001", Error, "the file is not valid UTF-8";
    EmptyFile = "E0002", Error, "the file holds no schema";
    YamlSyntax = "E0003", Error, "YAML syntax error";
    SeamSyntax = "E0004", Error, "DSL syntax error";
    AliasNotAllowed = "E0005", Error, "YAML anchors and aliases are not allowed";
    TooDeep = "E0006", Error, "nesting is deeper than any schema needs";
    DuplicateKey = "E0007", Error, "a key is given twice";
    UnknownKey = "E0008", Error, "a key that this place does not take";
    WrongKind = "E0009", Error, "a value of the wrong kind (string, number, list, mapping)";
    MissingKey = "E0010", Error, "a required key is absent";
    UnsupportedYaml = "E0011", Error, "a YAML feature schemas do not use (tags, several documents)";
    FileTooLarge = "E0012", Error, "the file is larger than any schema needs";
    NumberOutOfRange = "E0013", Error, "a number too large to represent, or not finite";
    UnknownSyntax = "E0014", Error, "the file extension names no schema syntax";
    TooManyDiagnostics = "E0015", Error, "more problems than are shown";
    // Schema-level rules.
    InvalidName = "E0101", Error, "a name is not a valid identifier";
    NameCollision = "E0102", Error, "two things share one name";
    InvalidVersion = "E0103", Error, "the schema version is not a positive integer";
    NoFeatures = "E0104", Error, "the schema has no feature input";
    UnsupportedFormat = "E0105", Error, "the `tensorseam` format version is not supported";
    // Scaling.
    ScaleNotNumeric = "E0201", Error, "scaling on an input that is not numeric";
    EncodeAndScale = "E0202", Error, "an input has both `encode` and `scale`";
    StdNotPositive = "E0203", Error, "std must be positive";
    MaxNotAboveMin = "E0204", Error, "`max` must be greater than `min`";
    DivideByZero = "E0205", Error, "`divide` by zero";
    InvalidClip = "E0206", Error, "`clip` needs a bound, and `min` not above `max`";
    NonFiniteParameter = "E0207", Error, "a scaling or encoding parameter is not finite";
    UnknownStep = "E0208", Error, "an unknown scaling step";
    InvalidOut = "E0209", Error, "`out` is `f32` or `f64`, and only beside `scale`";
    // Encodings.
    UnknownEncoding = "E0301", Error, "an unknown encoding";
    EncodingDtype = "E0302", Error, "the encoding does not accept the input's dtype or shape";
    DuplicateCategory = "E0303", Error, "a category is listed twice";
    CategoryKind = "E0304", Error, "a category (or boundary) of the wrong kind for the input's dtype";
    BoundariesNotIncreasing = "E0305", Error, "bucketize boundaries are not strictly increasing";
    InvalidCount = "E0306", Error, "a count (buckets, max_len, oov, max_categories) is below 1";
    OutputDtype = "E0307", Error, "the encoding's output dtype cannot hold its values";
    StrNeedsEncoding = "E0308", Error, "a `str` input has no encoding";
    EmptyCategories = "E0309", Error, "an empty category or boundary list";
    InvalidUnknown = "E0310", Error, "an `unknown` policy the encoding does not take";
    // Inputs.
    UnknownDtype = "E0401", Error, "an unknown dtype";
    TooManyAxes = "E0402", Error, "a shape has more than 4 entries";
    ZeroSize = "E0403", Error, "a shape entry is not a positive size";
    UndeclaredDim = "E0404", Error, "a shape names a dim that `dims` does not declare";
    TooManyElements = "E0405", Error, "a tensor has more than 2^31 elements per example";
    RangeNotNumeric = "E0406", Error, "`range` on an input that is not numeric";
    InvalidRange = "E0407", Error, "a `range` bound is wrong for the dtype, or the bounds are reversed";
    InvalidFill = "E0408", Error, "a `missing: {fill}` value that would not itself validate";
    FillOnShaped = "E0409", Error, "`fill` on a shaped input";
    CharsetNotStr = "E0410", Error, "`charset` on an input that is not `str`";
    InvalidRole = "E0411", Error, "an unknown role, or a weight that is not a numeric scalar";
    InvalidDim = "E0412", Error, "a dim's `min`/`max`/`truncate` are inconsistent";
    // Tensors.
    UnknownConcatInput = "E0501", Error, "a concat names no input";
    ConcatRole = "E0502", Error, "a label or weight in a concat";
    ConcatDtype = "E0503", Error, "concat parts of different dtypes";
    ConcatAxes = "E0504", Error, "concat parts whose leading axes differ";
    ConcatTwice = "E0505", Error, "an input is consumed by two concats";
    EmptyConcat = "E0506", Error, "a concat with no parts";
    ConcatDynamic = "E0507", Error, "a concat along a named (padded) axis";
    // Warnings.
    Deprecated = "W0001", Warning, "an input is deprecated";
    UnusedDim = "W0002", Warning, "a declared dim that no input uses";
}
