

# ---------------------------------------------------------------------------------------------
# The encoder. Everything below is the same in every generated module; the schema is the IR
# above. It follows the tensorseam runtime rule for rule (SPEC §3, §9): same codes, rows, paths,
# and the same tensor bits. Columns are validated and encoded with numpy, one input at a time.
# ---------------------------------------------------------------------------------------------

ERROR_LIMIT: Final = 100
"""Errors reported per call before the rest are only counted."""

MAX_DIM_LEN: Final = 65536
"""The longest list a dim without `max` may hold (longer is `too_long`), as in the Rust runtime."""


class FieldError(NamedTuple):
    """One invalid value: its row, its path (``history[3][1]``), a stable code and a message."""

    row: int
    field: str
    code: str
    message: str


class SchemaValidationError(ValueError):
    """The data does not fit the schema; ``errors`` lists why (row order, then field order).

    The message groups errors that repeat per row (one line per field and code, with the count
    and the first rows); ``errors`` keeps every one."""

    def __init__(self, errors: list[FieldError], omitted: int = 0) -> None:
        self.errors = errors
        self.omitted = omitted
        groups: dict[tuple[str, str], list[FieldError]] = {}
        for e in errors:
            groups.setdefault((e.field, e.code), []).append(e)
        lines = []
        for (field, code), group in list(groups.items())[:10]:
            first = group[0]
            if code == "missing_column":
                lines.append(f"  column `{field}`: {first.message} [{code}]")
            elif len(group) == 1:
                lines.append(f"  row {first.row}, `{field}`: {first.message} [{code}]")
            else:
                rows = ", ".join(str(e.row) for e in group[:5]) + (", …" if len(group) > 5 else "")
                lines.append(f"  `{field}` in {len(group)} rows ({rows}): {first.message} (row {first.row}) [{code}]")
        more = len(groups) - 10
        tail = f"\n  … and {more} more fields" if more > 0 else ""
        if omitted:
            tail += f"\n  … and {omitted} more errors past error_limit"
        count = len(errors) + omitted
        what = "missing column" if errors and all(e.code == "missing_column" for e in errors) else "invalid value"
        super().__init__(f"{count} {what}{'s' if count != 1 else ''} for schema `{SCHEMA_NAME}`:\n" + "\n".join(lines) + tail)


Array = npt.NDArray[Any]
_FNV_OFFSET: Final = 0xCBF29CE484222325
_FNV_PRIME: Final = 0x100000001B3
_INT_BOUNDS: Final = {
    "i8": (-(2**7), 2**7 - 1),
    "i16": (-(2**15), 2**15 - 1),
    "i32": (-(2**31), 2**31 - 1),
    "i64": (-(2**63), 2**63 - 1),
    "u8": (0, 2**8 - 1),
    "u16": (0, 2**16 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
}
_FLOATS: Final = ("f32", "f64")
_LISTED_CATEGORIES: Final = 10
"""How many categories an `unknown_category` message lists."""
_NUMPY: Final = {"bool": "bool", "f32": "float32", "f64": "float64", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64"}


class _Dim:
    def __init__(self, ir: dict[str, Any]) -> None:
        self.name: str = ir["name"]
        self.max: int | None = ir.get("max")
        self.min: int | None = ir.get("min")
        self.truncate: str = ir.get("truncate") or "error"
        self.mask: int | None = None


class _Tensor:
    def __init__(self, ir: dict[str, Any], dims: list[str]) -> None:
        self.name: str = ir["name"]
        self.dtype: str = ir["dtype"]
        self.kind: str = ir.get("kind") or "feature"
        self.axes: list[tuple[str, int]] = []
        for a in ir["shape"]:
            if a == "batch":
                self.axes.append(("batch", 0))
            elif isinstance(a, int):
                self.axes.append(("fixed", a))
            elif isinstance(a, dict) and "dim" in a:
                self.axes.append(("dim", dims.index(a["dim"])))
            else:
                raise _not_fitted(f"the size of tensor `{self.name}`")


def _not_fitted(what: str) -> ValueError:
    return ValueError(f"{what} depends on a `fit` placeholder in schema `{SCHEMA_NAME}`; run `tensorseam fit` on the schema, then regenerate this module")


class _Input:
    def __init__(self, ir: dict[str, Any], plan: _Plan, order: int) -> None:
        self.order = order
        self.name: str = ir["name"]
        # The record field or data column it reads (its name unless the schema says otherwise).
        self.column: str = ir.get("column", self.name)
        self.dtype: str = ir["dtype"]
        self.role: str = ir.get("role") or "feature"
        self.shape: list[tuple[str, int]] = []
        for a in ir.get("shape") or []:
            if isinstance(a, str):
                self.shape.append(("dim", plan.dim_names.index(a)))
            else:
                self.shape.append(("fixed", int(a)))
        missing = ir.get("missing")
        self.has_fill = isinstance(missing, dict) and "fill" in missing
        self.fill: Any = missing["fill"] if isinstance(missing, dict) and "fill" in missing else None
        self.fill_shown = _shown(self.fill)
        if self.fill is not None and self.dtype in _FLOATS:
            self.fill = _raw_float(float(self.fill), self.dtype)
        rng = ir.get("range")
        self.lo: Any = rng[0] if rng else None
        self.hi: Any = rng[1] if rng else None
        self.ascii = ir.get("charset") == "ascii"
        self.kind = "none"
        self.steps: list[tuple[str, float, float]] = []
        self.out_f64 = ir.get("out") == "f64"
        self.table: dict[Any, int] = {}
        self.value_set: Any = None
        self.k = 0
        self.listed = ""
        self.ignore = False
        self.oov: int | None = None
        self.buckets = 1
        self.boundaries: Array = np.zeros(0)
        self.max_len = 0
        self.truncate = "error"
        self.enc_axis, self.reduces = False, False
        scale, enc = ir.get("scale"), ir.get("encode")
        if scale:
            self.kind = "scale"
            for step in scale:
                if step == "log1p":
                    self.steps.append(("log1p", 0.0, 0.0))
                    continue
                ((op, p),) = step.items()
                if p == "fit":
                    raise _not_fitted(f"`{op}` of input `{self.name}`")
                a, b = {"standardize": ("mean", "std"), "minmax": ("min", "max"), "affine": ("scale", "offset"), "divide": ("by", "by"), "clip": ("min", "max")}[op]
                # An absent clip bound is NaN: no comparison with NaN is true.
                self.steps.append((op, math.nan if p.get(a) is None else float(p[a]), math.nan if p.get(b) is None else float(p[b])))
        elif enc:
            ((op, p),) = enc.items()
            self.kind = op
            unknown = p.get("unknown")
            self.ignore = unknown == "ignore"
            if op in ("one_hot", "multi_hot", "index"):
                cats = p["categories"]
                if not isinstance(cats, list):
                    raise _not_fitted(f"the categories of input `{self.name}`")
                self.k = len(cats)
                self.listed = ", ".join(_shown(c) for c in cats[:_LISTED_CATEGORIES]) + (", …" if len(cats) > _LISTED_CATEGORIES else "")
                self.table = {(bool(c) if self.dtype == "bool" else c): i for i, c in enumerate(cats)}
                if op != "index":
                    self.enc_axis, self.reduces = True, op == "multi_hot"
                elif isinstance(unknown, dict):
                    self.oov = int(unknown["oov"])
            elif op == "hash":
                self.buckets = int(p["buckets"])
            elif op == "bucketize":
                self.boundaries = np.array([float(b) for b in p["boundaries"]], dtype=np.float64)
            else:
                self.max_len = int(p["max_len"])
                self.truncate = p.get("truncate") or "error"
                self.enc_axis = True
        self.tensor = 0
        self.offset = 0
        self.text_mask: int | None = None


class _Plan:
    def __init__(self, ir: dict[str, Any]) -> None:
        self.dim_names = [d["name"] for d in ir["dims"]]
        self.dims = [_Dim(d) for d in ir["dims"]]
        self.tensors = [_Tensor(t, self.dim_names) for t in ir["specs"]]
        names = [t.name for t in self.tensors]
        for d in self.dims:
            if d.name + "_mask" in names:
                d.mask = names.index(d.name + "_mask")
        self.inputs = [_Input(i, self, n) for n, i in enumerate(ir["inputs"])]
        by_name = {i.name: i for i in self.inputs}
        # Which input fills which columns of which tensor: the layout the schema's IR states.
        for t, spec in enumerate(ir["specs"]):
            for part in spec.get("parts") or []:
                inp = by_name[part["input"]]
                if part["offset"] is None:
                    raise _not_fitted(f"the layout of tensor `{spec['name']}`")
                inp.tensor, inp.offset = t, int(part["offset"])
        for inp in self.inputs:
            if inp.kind in ("bytes", "chars") and inp.role == "feature" and inp.name + "_mask" in names:
                inp.text_mask = names.index(inp.name + "_mask")


_PLAN: list[_Plan] = []


def _plan() -> _Plan:
    if not _PLAN:
        _PLAN.append(_Plan(_IR))
    return _PLAN[0]


def _raw_float(x: float, dtype: str) -> float:
    """A raw float in its dtype: rounded to f32 for an `f32` input (infinite when it does not fit,
    which the caller reports)."""
    if dtype != "f32":
        return x
    with np.errstate(over="ignore"):
        return float(np.float32(x))


def _describe(v: Any) -> str:
    """How a raw value is named in messages (as the runtime names it)."""
    if v is None:
        return "null"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return repr(f)
    if isinstance(v, str):
        shown = v[:40]
        return "the string " + json.dumps(shown, ensure_ascii=False) + ("…" if len(shown) < len(v) else "")
    if isinstance(v, (list, tuple, np.ndarray)):
        return f"a list of {len(v)}"
    if isinstance(v, Mapping):
        return "an object"
    return f"a Python `{type(v).__name__}`"


_EXPECTED: Final = {"bool": "`true` or `false`", "str": "a string", "f32": "a number", "f64": "a number"}


class _Errors:
    """Errors keyed (row, input, sequence) so they come out in the runtime's order."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, int, str, str, str]] = []

    def add(self, row: int, order: int, seq: int, path: str, code: str, message: str) -> None:
        self.items.append((row, order, seq, path, code, message))


class _Leaves:
    """Raw values of one input at its leaves, with where each leaf came from. For a scalar input
    leaf i is row i, and `rows`, `cells`, `seqs` and `paths` are None."""

    def __init__(self, values: Any, rows: Array | None = None, cells: Array | None = None, seqs: Array | None = None, paths: list[str] | None = None, raw: list[Array] | None = None) -> None:
        self.values = values
        self.rows = rows
        self.cells = cells
        self.seqs = seqs
        self.paths = paths
        # For leaves read from Arrow lists: per list level, each leaf's index in its list, from
        # which its path is made only when an error names it.
        self.raw = raw

    def row(self, i: int) -> int:
        return i if self.rows is None else int(self.rows[i])

    def path(self, inp: _Input, i: int) -> str:
        if self.raw is not None:
            return inp.column + "".join(f"[{int(level[i])}]" for level in self.raw)
        return inp.column if self.paths is None else self.paths[i]

    def seq(self, i: int) -> int:
        return 0 if self.seqs is None else int(self.seqs[i])


class _Arrow:
    """A column of Arrow strings (pandas' string dtype, pyarrow tables), kept in Arrow: nulls,
    ASCII and category positions are computed by pyarrow without a Python object per value."""

    def __init__(self, array: Any) -> None:
        self.array = array
        self.pc = importlib.import_module("pyarrow.compute")
        self._list: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: int) -> Any:
        return self.tolist()[i]

    def tolist(self) -> list[Any]:
        if self._list is None:
            self._list = self.array.to_pylist()
        return self._list


def _arrow_strings(col: Any) -> _Arrow | None:
    """`col` as Arrow strings, when that is what it holds."""
    to_arrow = getattr(getattr(col, "array", col), "__arrow_array__", None)
    if to_arrow is None:
        return None
    try:
        # pandas offers the protocol on every extension column; without pyarrow installed, or
        # for a column Arrow cannot hold, the column is read as Python values instead.
        array = to_arrow()
        pa = importlib.import_module("pyarrow")
    except (ImportError, TypeError, ValueError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or getattr(pa.types, "is_string_view", lambda _: False)(kind):
        return _Arrow(array)
    return None


class _Masked:
    """A column of Arrow numbers or bools with nulls: the values as numpy (0 at a null, never a
    float standing in for an integer) and which are null (missing)."""

    def __init__(self, values: Array, missing: Array) -> None:
        self.values = values
        self.missing = missing

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: int) -> Any:
        return None if self.missing[i] else self.values[i].item()

    def tolist(self) -> list[Any]:
        return [None if m else v for v, m in zip(self.values.tolist(), self.missing.tolist())]

    def plain(self, inp: _Input, filled: Array | None) -> Array | None:
        """The values with each null replaced by the fill (or a placeholder, 0 or False, where
        `filled` is None and a null is an error), as an array `_typed_array` checks; None when the
        array's kind is not the input's (a type error the general path names per value)."""
        dtype, kind = inp.dtype, self.values.dtype.kind
        a: Array
        if dtype in _FLOATS and kind in "iuf":
            a = self.values.astype(np.float64)
            a[self.missing] = float(inp.fill) if filled is not None else 0.0
        elif dtype == "bool" and kind == "b":
            a = self.values.copy()
            a[self.missing] = bool(inp.fill) if filled is not None else False
        elif dtype not in _FLOATS and dtype not in ("str", "bool") and kind in "iu":
            a = self.values.astype(np.uint64 if self.values.dtype == np.uint64 else np.int64)
            try:
                a[self.missing] = int(inp.fill) if filled is not None else 0
            except OverflowError:
                return None
        else:
            return None
        return a


def _arrow_values(pa: Any, array: Any) -> Any:
    """Arrow numbers or bools as numpy (`_Masked` when some are null), strings kept in Arrow;
    None for any other type."""
    kind = array.type
    if pa.types.is_dictionary(kind) and (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
        array = array.cast(kind.value_type)
        kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _Arrow(array)
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)):
        return None
    if array.null_count == 0:
        return array.to_numpy(zero_copy_only=False)
    missing = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)
    # Filled before leaving Arrow: numpy would hold an integer column with nulls as floats.
    pc = importlib.import_module("pyarrow.compute")
    values = pc.fill_null(array, False if pa.types.is_boolean(kind) else 0)
    return _Masked(np.asarray(values.to_numpy(zero_copy_only=False)), missing)


def _spread(counts: Array) -> tuple[Array, Array]:
    """For lists of `counts` elements: each element's list and its position in that list."""
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    pos = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, pos


class _ArrowList:
    """A column of Arrow lists, nested to any depth (list, large_list, fixed_size_list), of
    numbers, bools or strings, kept as buffers: per list level the offsets of each entry's
    elements in the level below and which entries are null, and the innermost values as one
    array (`_arrow_values`). `tolist` gives Python lists for the general walker."""

    def __init__(self, array: Any, levels: list[tuple[Array, Array | None]], values: Any) -> None:
        self.array = array
        self.levels = levels
        self.values = values
        self._list: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: int) -> Any:
        return self.tolist()[i]

    def take(self, idx: Array) -> Any:
        """The innermost values at `idx`: numpy, `_Masked`, or Arrow strings."""
        v = self.values
        if isinstance(v, _Arrow):
            return _Arrow(v.pc.take(v.array, idx))
        if isinstance(v, _Masked):
            missing = v.missing[idx]
            return _Masked(v.values[idx], missing) if missing.any() else v.values[idx]
        return v[idx]

    def flat(self) -> tuple[Any, Array] | None:
        """Every innermost value with its row (as `_leaves_of` walks), or None when a list is
        null (the walker counts it as one missing value)."""
        entries = np.arange(len(self.array), dtype=np.int64)
        rows = entries
        for offsets, nulls in self.levels:
            if nulls is not None and nulls[entries].any():
                return None
            owner, pos = _spread(offsets[entries + 1] - offsets[entries])
            entries = offsets[entries][owner] + pos
            rows = rows[owner]
        return self.take(entries), rows

    def tolist(self) -> list[Any]:
        if self._list is None:
            self._list = self.array.to_pylist()
        return self._list


def _arrow_lists(pa: Any, array: Any) -> _ArrowList | None:
    """`array` as an `_ArrowList`, or None when it is not lists of numbers, bools or strings."""
    levels: list[tuple[Array, Array | None]] = []
    level = array
    while True:
        kind = level.type
        if pa.types.is_fixed_size_list(kind):
            # `.values` is the whole child: a slice's entries start `offset` entries in.
            offsets = (level.offset + np.arange(len(level) + 1, dtype=np.int64)) * kind.list_size
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            offsets = np.asarray(level.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
        else:
            break
        nulls = np.asarray(level.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_) if level.null_count else None
        levels.append((offsets, nulls))
        level = level.values
    values = _arrow_values(pa, level) if levels else None
    return None if values is None else _ArrowList(array, levels, values)


def _to_column(col: Any, inp: _Input) -> Any:
    """A column as a numpy array (numeric or text), Arrow strings, or a list of Python values.

    A pandas column's missing values are pandas' own: its NA, None, and NaN in a float column
    (pandas stores an integer column with gaps as floats, NaN at the gaps) all become missing.
    A numpy array's NaN is missing only for float inputs, as in JSON."""
    if isinstance(col, (np.ndarray, _Arrow)):
        return col
    if isinstance(col, _Masked):
        return col.tolist() if inp.shape else col
    if isinstance(col, _ArrowList):
        return col if inp.shape else col.tolist()
    arrow = _arrow_strings(col)
    if arrow is not None:
        return arrow
    to_numpy = getattr(col, "to_numpy", None)
    if to_numpy is not None:
        dtype = getattr(col, "dtype", None)
        if isinstance(dtype, np.dtype) and dtype.kind in "biu":
            return np.asarray(to_numpy())
        if isinstance(dtype, np.dtype) and dtype.kind == "f" and inp.dtype in _FLOATS:
            return np.asarray(to_numpy())
        return list(to_numpy(dtype=object, na_value=None))
    return list(col)


def _typed(inp: _Input, values: Any, fill_ok: bool, errs: list[tuple[int, str, str]]) -> tuple[Array, Any]:
    """Missing → type → non-finite → charset → range, for every leaf. Returns the valid mask and
    the typed values (float64, int64/uint64, bool arrays, or a list of str)."""
    n = len(values)
    dtype = inp.dtype
    ok = np.ones(n, dtype=np.bool_)
    # A fill replaces a missing value as is: the checks after `missing` do not apply to it.
    filled = np.zeros(n, dtype=np.bool_) if fill_ok and inp.has_fill else None
    vals: Any
    if isinstance(values, _Arrow):
        if dtype == "str":
            return _typed_arrow(inp, values, filled, ok, errs)
        values = values.tolist()
    if isinstance(values, _Masked):
        plain = values.plain(inp, filled)
        if plain is None:
            values = values.tolist()
        else:
            _missing(inp, values.missing, filled, ok, errs)
            values = plain
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "biufU":
        vals = _typed_array(inp, values, filled, ok, errs)
    else:
        if isinstance(values, np.ndarray):
            # A list iterates far faster than an object array.
            values = values.tolist()
        vals = _typed_list(inp, values, filled, ok, errs)
    check = ok if filled is None else ok & ~filled
    if dtype == "str":
        if isinstance(vals, list):
            _unencodable(vals, check, errs)
            ok &= check | (filled if filled is not None else False)
        if inp.ascii:
            for i, s in enumerate(vals):
                if check[i] and not s.isascii():
                    ok[i] = False
                    errs.append((i, "not_ascii", f"{_describe(s)} is not ASCII"))
        return ok, vals
    if inp.lo is not None or inp.hi is not None:
        _range(inp, vals, check, errs)
        ok &= check | (filled if filled is not None else False)
    return ok, vals


def _typed_arrow(inp: _Input, col: _Arrow, filled: Array | None, ok: Array, errs: list[tuple[int, str, str]]) -> tuple[Array, _Arrow]:
    """`_typed` for a `str` input given Arrow strings: every value is a string or null."""
    array, pc = col.array, col.pc
    if array.null_count:
        miss = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)
        _missing(inp, miss, filled, ok, errs)
        array = pc.fill_null(array, inp.fill if filled is not None else "")
        col = _Arrow(array)
    if inp.ascii:
        bad = ~np.asarray(pc.string_is_ascii(array).to_numpy(zero_copy_only=False), dtype=np.bool_) & ok
        if filled is not None:
            bad &= ~filled
        for i in np.flatnonzero(bad):
            errs.append((int(i), "not_ascii", f"{_describe(col[int(i)])} is not ASCII"))
        ok &= ~bad
    return ok, col


def _typed_array(inp: _Input, a: Array, filled: Array | None, ok: Array, errs: list[tuple[int, str, str]]) -> Any:
    """`_typed` for a numpy column of a plain dtype: the checks are whole-array operations."""
    dtype, kind, n = inp.dtype, a.dtype.kind, len(a)

    def wrong(bad: Array) -> None:
        for i in np.flatnonzero(bad & ok):
            errs.append((int(i), "wrong_type", f"expected {_EXPECTED.get(dtype, 'an integer')} for `{dtype}`, found {_describe(a[i])}"))
        ok[bad] = False

    everything = np.ones(n, dtype=np.bool_)
    if dtype == "str":
        if kind == "U":
            return a.tolist()
        wrong(everything)
        return [""] * n
    if dtype == "bool":
        if kind == "b":
            return a.astype(np.bool_)
        wrong(everything)
        return np.zeros(n, dtype=np.bool_)
    if kind in "bU":
        wrong(everything)
        return np.zeros(n, dtype=np.float64 if dtype in _FLOATS else np.int64)
    if dtype in _FLOATS:
        x = a.astype(np.float64)
        if kind == "f":
            nan = np.isnan(x)
            if nan.any():
                _missing(inp, nan, filled, ok, errs)
                x[nan] = float(inp.fill) if filled is not None else 0.0
            inf = np.isinf(x) & ok
            for i in np.flatnonzero(inf):
                errs.append((int(i), "non_finite", f"{_describe(x[i])} is not finite"))
            ok[inf] = False
        if dtype == "f32":
            with np.errstate(all="ignore"):
                y = x.astype(np.float32)
            over = np.isinf(y) & np.isfinite(x) & ok
            for i in np.flatnonzero(over):
                errs.append((int(i), "non_finite", f"{float(x[i])!r} does not fit `f32`"))
            ok[over] = False
            x = y.astype(np.float64)
        x[~ok] = 0.0
        return x
    lo, hi = _INT_BOUNDS[dtype]
    target = np.uint64 if dtype == "u64" else np.int64
    if kind == "f":
        # An integral float stands for an integer (pandas keeps integer columns with gaps as
        # floats); NaN and ±inf are not integers.
        x = a.astype(np.float64)
        with np.errstate(all="ignore"):
            wrong(~np.isfinite(x) | (np.floor(x) != x))
        lo_f, hi_f = float(lo), float(hi)
        out_of = ok & ((x < lo_f) | (x > hi_f))
        # At the edges f64 rounds the bound itself: decide those exactly.
        for i in np.flatnonzero(ok & ((x == lo_f) | (x == hi_f))):
            if not lo <= int(x[i]) <= hi:
                out_of[i] = True
        for i in np.flatnonzero(out_of):
            errs.append((int(i), "out_of_range", f"{int(x[i])} is outside `{dtype}` ({lo}..={hi})"))
        ok[out_of] = False
        x[~ok] = 0.0
        return x.astype(target)
    # Integer arrays: bounds are exact (comparisons in the array's own type).
    info = np.iinfo(a.dtype)
    below = a < lo if lo > info.min else np.zeros(n, dtype=np.bool_)
    above = a > hi if hi < info.max else np.zeros(n, dtype=np.bool_)
    bad = below | above
    for i in np.flatnonzero(bad):
        errs.append((int(i), "out_of_range", f"{int(a[i])} is outside `{dtype}` ({lo}..={hi})"))
    ok[bad] = False
    return np.where(ok, a, 0).astype(target)


def _is_na(v: Any) -> bool:
    """pandas' missing-value marker (`pd.NA`), recognized without importing pandas."""
    return type(v).__name__ == "NAType"


def _unencodable(vals: list[Any], check: Array, errs: list[tuple[int, str, str]]) -> None:
    """Strings that are not valid Unicode (a lone surrogate) cannot be UTF-8: the wrong type, as
    a JSON reader refuses them. One encode of the whole column finds that none is (the usual case)."""
    try:
        "".join(vals).encode("utf-8")
        return
    except UnicodeEncodeError:
        pass
    for i, s in enumerate(vals):
        if not check[i]:
            continue
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            check[i] = False
            errs.append((i, "wrong_type", "expected a string for `str`, found a string with a lone surrogate (not valid Unicode)"))


def _missing(inp: _Input, miss: Array, filled: Array | None, ok: Array, errs: list[tuple[int, str, str]]) -> None:
    """Missing leaves take the fill (marked in `filled`), or are errors."""
    if filled is not None:
        filled |= miss
        return
    for i in np.flatnonzero(miss & ok):
        errs.append((int(i), "missing", "the value is missing"))
    ok[miss] = False


def _typed_list(inp: _Input, values: list[Any], filled: Array | None, ok: Array, errs: list[tuple[int, str, str]]) -> Any:
    """`_typed` for Python values, classified as the runtime classifies JSON values."""
    dtype, n = inp.dtype, len(values)
    types = set(map(type, values))
    is_int_dtype = dtype not in _FLOATS and dtype not in ("str", "bool")
    # Fast paths: a column of one plain type (no bool among numbers: that would be a coercion).
    try:
        if dtype in _FLOATS and types <= {float, int}:
            return _typed_array(inp, np.asarray(values, dtype=np.float64), filled, ok, errs)
        if dtype == "str" and types == {str}:
            return values
        if dtype == "bool" and types == {bool}:
            return np.asarray(values, dtype=np.bool_)
        if is_int_dtype and types == {int}:
            wide = np.uint64 if dtype == "u64" and min(values) >= 0 else np.int64
            return _typed_array(inp, np.asarray(values, dtype=wide), filled, ok, errs)
    except OverflowError:
        pass
    # The general path, value by value.
    out: Any
    if dtype in _FLOATS:
        out = np.zeros(n, dtype=np.float64)
    elif dtype == "bool":
        out = np.zeros(n, dtype=np.bool_)
    elif dtype == "str":
        out = [""] * n
    else:
        out = [0] * n
    lo, hi = _INT_BOUNDS.get(dtype, (0, 0))
    for i, v in enumerate(values):
        try:
            _take(inp, v, i, out, filled, ok, errs, lo, hi)
        except Exception as e:  # noqa: BLE001 - any value, however odd, is a coded error, not a crash
            ok[i] = False
            errs.append((i, "wrong_type", f"expected {_EXPECTED.get(dtype, 'an integer')} for `{dtype}`, found a Python `{type(v).__name__}` that cannot be read ({type(e).__name__})"))
    if is_int_dtype:
        return np.array(out, dtype=np.uint64 if dtype == "u64" else np.int64)
    return out


def _take(inp: _Input, v: Any, i: int, out: Any, filled: Array | None, ok: Array, errs: list[tuple[int, str, str]], lo: int, hi: int) -> None:
    """One Python value of `_typed_list`'s general path: typed into `out[i]`, or an error."""
    dtype = inp.dtype
    is_int_dtype = dtype not in _FLOATS and dtype not in ("str", "bool")
    is_float = isinstance(v, (float, np.floating))
    if v is None or _is_na(v) or (is_float and dtype in _FLOATS and math.isnan(v)):
        if filled is not None:
            filled[i] = True
            out[i] = inp.fill
            return
        ok[i] = False
        errs.append((i, "missing", "the value is missing"))
        return
    is_bool = isinstance(v, (bool, np.bool_))
    is_int = not is_bool and isinstance(v, (int, np.integer))
    if dtype == "bool" and is_bool:
        out[i] = bool(v)
    elif dtype == "str" and isinstance(v, str):
        out[i] = str(v)
    elif dtype in _FLOATS and (is_int or is_float):
        f = float(v) if is_float else _int_to_float(int(v))
        if math.isinf(f):
            ok[i] = False
            errs.append((i, "non_finite", f"{_describe(v)} is not finite"))
            return
        if dtype == "f32":
            g = _raw_float(f, "f32")
            if math.isinf(g):
                ok[i] = False
                errs.append((i, "non_finite", f"{f!r} does not fit `f32`"))
                return
            f = g
        out[i] = f
    elif is_int_dtype and (is_int or (is_float and math.isfinite(v) and float(v).is_integer())):
        iv = int(v)
        if iv < lo or iv > hi:
            ok[i] = False
            errs.append((i, "out_of_range", f"{iv} is outside `{dtype}` ({lo}..={hi})"))
            return
        out[i] = iv
    else:
        ok[i] = False
        errs.append((i, "wrong_type", f"expected {_EXPECTED.get(dtype, 'an integer')} for `{dtype}`, found {_describe(v)}"))


def _int_to_float(i: int) -> float:
    try:
        return float(i)
    except OverflowError:
        return math.inf if i > 0 else -math.inf


def _range(inp: _Input, vals: Array, ok: Array, errs: list[tuple[int, str, str]]) -> None:
    """Inclusive bounds on the raw value: exact between integers, in f64 otherwise."""
    is_int = inp.dtype not in _FLOATS and inp.dtype != "bool"
    bad = np.zeros(len(vals), dtype=np.bool_)
    for bound, below in ((inp.lo, True), (inp.hi, False)):
        if bound is None:
            continue
        if is_int and isinstance(bound, int):
            info = np.iinfo(vals.dtype)
            if below and bound > info.min:
                bad |= vals < bound if bound <= info.max else np.ones(len(vals), dtype=np.bool_)
            elif not below and bound < info.max:
                bad |= vals > bound if bound >= info.min else np.ones(len(vals), dtype=np.bool_)
        else:
            x = vals.astype(np.float64)
            bad |= (x < float(bound)) if below else (x > float(bound))
    bad &= ok
    shown_lo = "null" if inp.lo is None else _literal(inp.lo)
    shown_hi = "null" if inp.hi is None else _literal(inp.hi)
    for i in np.flatnonzero(bad):
        v = vals[i]
        shown = str(int(v)) if is_int else repr(float(v))
        errs.append((int(i), "out_of_range", f"{shown} is outside the range [{shown_lo}, {shown_hi}]"))
    ok[bad] = False


def _literal(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _fnv(data: Array, starts: Array, lens: Array) -> Array:
    """FNV-1a 64 of each byte string `data[starts[i] : starts[i] + lens[i]]`, vectorized across
    strings: one step per byte position, over the strings that long (longest first)."""
    n = len(lens)
    h = np.full(n, _FNV_OFFSET, dtype=np.uint64)
    if n == 0:
        return h
    order = np.argsort(-lens, kind="stable")
    sorted_lens = lens[order]
    at = starts[order]
    hs = h[order]
    prime = np.uint64(_FNV_PRIME)
    active = n
    for j in range(int(sorted_lens[0])):
        while active > 0 and sorted_lens[active - 1] <= j:
            active -= 1
        hs[:active] = (hs[:active] ^ data[at[:active] + j].astype(np.uint64)) * prime
    h[order] = hs
    return h


def _joined(data: list[bytes]) -> tuple[Array, Array, Array]:
    """Byte strings as one buffer, each one's start and length."""
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    return np.frombuffer(b"".join(data), dtype=np.uint8), np.cumsum(lens) - lens, lens


def _arrow_bytes(array: Any) -> tuple[Array, Array, Array]:
    """Arrow strings' UTF-8 as `_joined` gives it, read from the array's own buffers (a null is
    empty)."""
    pa = importlib.import_module("pyarrow")
    if not pa.types.is_large_string(array.type):
        array = array.cast(pa.large_string())
    _, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return data, offsets[:-1], np.diff(offsets)


def _code_points(data: Array, starts: Array, lens: Array) -> tuple[Array, Array, Array]:
    """Valid UTF-8 strings (`_joined`'s layout) as code points in the same layout: each lead byte
    starts a character whose length its high bits give."""
    lead = (data & 0xC0) != 0x80
    before = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(lead, out=before[1:])
    at = np.flatnonzero(lead)
    b0 = data[at].astype(np.int64)
    size = np.where(b0 < 0x80, 1, np.where(b0 < 0xE0, 2, np.where(b0 < 0xF0, 3, 4)))
    cp = b0 & np.where(size == 1, 0x7F, np.where(size == 2, 0x1F, np.where(size == 3, 0x0F, 0x07)))
    padded = np.concatenate((data, np.zeros(3, dtype=np.uint8))).astype(np.int64)
    for k in (1, 2, 3):
        cp = np.where(size > k, (cp << 6) | (padded[at + k] & 0x3F), cp)
    return cp, before[starts], before[starts + lens] - before[starts]


def _units(inp: _Input, vals: Any, ok: Array) -> tuple[Array, Array, Array]:
    """The code units of each valid text (UTF-8 bytes for `bytes`, code points for `chars`) in
    `_joined`'s layout; an invalid text has none."""
    if isinstance(vals, _Arrow):
        data, starts, lens = _arrow_bytes(vals.array)
        lens = np.where(ok, lens, 0)
        return (data, starts, lens) if inp.kind == "bytes" else _code_points(data, starts, lens)
    texts = [s if good else "" for s, good in zip(vals, ok.tolist())]
    if inp.kind == "bytes":
        return _joined([s.encode("utf-8") for s in texts])
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32), np.cumsum(lens) - lens, lens


def _hash(inp: _Input, vals: Any, idx: Array) -> Array:
    """fnv1a64 of the selected values: UTF-8 text, integers as decimal text, bools as words."""
    if isinstance(vals, _Arrow):
        return _fnv(*_arrow_bytes(vals.pc.take(vals.array, idx)))
    picked = [vals[i] for i in idx.tolist()]
    if inp.dtype == "str":
        # An invalid value (a lone surrogate) is reported elsewhere; its hash is never kept.
        data = [s.encode("utf-8", "surrogatepass") for s in picked]
    elif inp.dtype == "bool":
        data = [b"true" if b else b"false" for b in picked]
    else:
        data = [str(int(v)).encode("ascii") for v in picked]
    return _fnv(*_joined(data))


def _all_categories(inp: _Input, values: Any) -> Array | None:
    """The category positions of a column of strings when every value is a category — the
    common case, found with one lookup per value and no type scan (a category is a `str`, so
    a hit is a valid value); `None` otherwise, for the full checks."""
    if inp.dtype != "str" or not isinstance(values, (list, np.ndarray)) or (inp.ascii and not all(c.isascii() for c in inp.table)):
        return None
    seq = values.tolist() if isinstance(values, np.ndarray) else values
    try:
        pos = np.fromiter(map(inp.table.get, seq, repeat(-1)), dtype=np.int64, count=len(seq))
    except Exception:  # noqa: BLE001 - an odd value (unhashable, a raising __hash__): the full checks name it
        return None
    return pos if len(pos) == 0 or pos.min() >= 0 else None


def _positions(inp: _Input, vals: Any, ok: Array) -> Array:
    """Each value's category position, -1 when unknown."""
    n = len(vals)
    if inp.dtype == "bool":
        f, t = inp.table.get(False, -1), inp.table.get(True, -1)
        return np.where(np.asarray(vals, dtype=np.bool_), t, f).astype(np.int64)
    if isinstance(vals, _Arrow):
        if inp.value_set is None:
            inp.value_set = importlib.import_module("pyarrow").array(list(inp.table))
        found = vals.pc.index_in(vals.array, value_set=inp.value_set)
        return np.asarray(vals.pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    seq = vals if isinstance(vals, list) else vals.tolist()
    return np.fromiter(map(inp.table.get, seq, repeat(-1)), dtype=np.int64, count=n)


def _steps(inp: _Input, x: Array, ok: Array, errs: list[tuple[int, str, str]]) -> Array:
    """The input's scaling steps in f64, in order (`log1p` reports what it cannot take)."""
    with np.errstate(all="ignore"):
        for op, a, b in inp.steps:
            if op == "standardize":
                x = (x - a) / b
            elif op == "minmax":
                x = (x - a) / (b - a)
            elif op == "affine":
                x = x * a + b
            elif op == "divide":
                x = x / a
            elif op == "clip":
                x = np.where(x < a, a, x)
                x = np.where(x > b, b, x)
            else:
                # log1p: the C library's, as the runtime's `f64::ln_1p`; defined above -1.
                bad = ~(x > -1.0) & ok
                for i in np.flatnonzero(bad):
                    errs.append((int(i), "out_of_range", f"`log1p` needs a value above -1, and it receives {float(x[i])!r}"))
                ok &= ~bad
                x = np.where(ok, x, 0.0)
                x = np.fromiter(map(math.log1p, x.tolist()), dtype=np.float64, count=len(x))
    return x


def _scale(inp: _Input, x: Array, ok: Array, errs: list[tuple[int, str, str]]) -> Array:
    x = _steps(inp, x, ok, errs)
    with np.errstate(all="ignore"):
        out = x.astype(np.float64) if inp.out_f64 else x.astype(np.float32)
        bad = ~np.isfinite(out) & ok
    for i in np.flatnonzero(bad):
        errs.append((int(i), "non_finite", f"scaling gives {float(x[i])!r}, which is not finite in `{'f64' if inp.out_f64 else 'f32'}`"))
    ok &= ~bad
    return out


def _kept(n: int, max_len: int, truncate: str) -> tuple[int, int] | None:
    if n <= max_len:
        return (0, n)
    if truncate == "right":
        return (0, max_len)
    if truncate == "left":
        return (n - max_len, n)
    return None


class _Run:
    """One call of `encode`/`validate`: rows, tensors being written, errors, per-row dim state."""

    def __init__(self, plan: _Plan, n: int, training: bool, write: bool, max_dim_len: int) -> None:
        self.plan = plan
        self.max_dim_len = max_dim_len
        self.n = n
        self.training = training
        self.write = write
        self.errors = _Errors()
        self.dim_len = [[-1] * n for _ in plan.dims]
        self.dim_kept = [[0] * n for _ in plan.dims]
        self.longest = [0] * len(plan.dims)
        self.out: list[Array | None] = []
        self.pending: dict[int, list[tuple[int, Any]]] = {}

    def active(self, inp: _Input) -> bool:
        return inp.role == "feature" or self.training

    def allocate(self) -> None:
        for t in self.plan.tensors:
            if t.kind in ("label", "weight") and not self.training:
                self.out.append(None)
                continue
            shape = []
            for kind, v in t.axes:
                if kind == "batch":
                    shape.append(self.n)
                elif kind == "fixed":
                    shape.append(v)
                else:
                    d = self.plan.dims[v]
                    shape.append(d.max if d.max is not None else self.longest[v])
            self.out.append(np.zeros(shape, dtype=_NUMPY[t.dtype]))

    def strides(self, inp: _Input) -> list[int]:
        target = self.out[inp.tensor]
        assert target is not None
        shape = list(target.shape)
        s = [1] * len(shape)
        for k in range(len(shape) - 2, -1, -1):
            s[k] = s[k + 1] * shape[k + 1]
        return s

    def cell(self, inp: _Input, row: int, idx: list[int], strides: list[int]) -> int:
        """The flat position of output value 0 of the cell at `idx` (values j follow at +j)."""
        rank = len(strides)
        base = row * strides[0]
        if rank == 1:
            return base
        n = len(idx) + (1 if inp.enc_axis else 0)
        if n == 0:
            return base + inp.offset * strides[-1]
        lead = sum(idx[k] * strides[k + 1] for k in range(min(n - 1, len(idx))))
        last = idx[n - 1] if n - 1 < len(idx) else 0
        return base + lead + (inp.offset + last) * strides[-1]

    # Pass 1: dims without `max` pad to the batch's longest (a list over the cap is reported in
    # pass 2, and sizes nothing).
    def measure(self, v: Any, shape: list[tuple[str, int]]) -> None:
        if not shape or not isinstance(v, (list, tuple, np.ndarray)):
            return
        kind, d = shape[0]
        if kind == "dim":
            if self.plan.dims[d].max is None and len(v) > self.max_dim_len:
                return
            self.longest[d] = max(self.longest[d], len(v))
        if len(shape) > 1:
            for item in v:
                self.measure(item, shape[1:])

    def measure_arrow(self, col: _ArrowList, shape: list[tuple[str, int]]) -> None:
        """`measure` for every row of Arrow lists, a list level at a time."""
        entries = np.arange(self.n, dtype=np.int64)
        for a, (kind, d) in enumerate(shape[: len(col.levels)]):
            offsets, nulls = col.levels[a]
            if nulls is not None:
                entries = entries[~nulls[entries]]
            lengths = offsets[entries + 1] - offsets[entries]
            if kind == "dim":
                if self.plan.dims[d].max is None:
                    under = lengths <= self.max_dim_len
                    entries, lengths = entries[under], lengths[under]
                if len(lengths):
                    self.longest[d] = max(self.longest[d], int(lengths.max()))
            if a + 1 < len(shape):
                owner, pos = _spread(lengths)
                entries = offsets[entries][owner] + pos

    def scalar(self, inp: _Input, column: Any, dead: Array | None) -> None:
        self.leaves(inp, _Leaves(column), True, dead)

    def put(self, inp: _Input, lv: _Leaves, sel: Array | None, values: Any, pos: Array | None = None) -> None:
        """Writes the selected leaves' values (all leaves when `sel` is None) at their cells, shifted
        by `pos` along the encoding axis. Scalar inputs write through a column view of the tensor."""
        target = self.out[inp.tensor]
        if target is None:
            return
        if isinstance(values, np.ndarray) and sel is not None:
            values = values[sel]
        if lv.cells is None:
            if pos is None and sel is None and target.ndim == 2:
                # Columns of one tensor are written together at the end (`flush`): a block of
                # adjacent columns in one pass over the tensor, not one pass per column.
                self.pending.setdefault(inp.tensor, []).append((inp.offset, values))
            elif pos is None:
                column = target if target.ndim == 1 else target[:, inp.offset]
                if sel is None:
                    column[:] = values
                else:
                    column[sel] = values
            else:
                # One flat index per value: numpy assigns through 1-D indices far faster than 2-D.
                rows = np.arange(len(pos)) if sel is None else np.flatnonzero(sel)
                rows *= target.shape[1]
                rows += inp.offset
                rows += pos if sel is None else pos[sel]
                target.reshape(-1)[rows] = values
            return
        flat = target.reshape(-1)
        cells = lv.cells if sel is None else lv.cells[sel]
        if pos is not None:
            cells = cells + (pos if sel is None else pos[sel])
        flat[cells] = values

    def shaped(self, inp: _Input, column: Any, dead: Array | None) -> None:
        """Walks each row's nested lists (structure checks, dims, truncation) down to its leaves."""
        if isinstance(column, _ArrowList):
            if dead is None and self.arrow_lists(inp, column):
                return
            column = column.tolist()
        values: list[Any] = []
        rows: list[int] = []
        cells: list[int] = []
        seqs: list[int] = []
        paths: list[str] = []
        strides = self.strides(inp) if self.write else [0]
        seq = [0]
        out_rank = len(inp.shape) - (1 if inp.reduces else 0)

        def error(row: int, path: str, code: str, message: str) -> None:
            self.errors.add(row, inp.order, seq[0], path, code, message)
            seq[0] += 1

        def items(row: int, axis: tuple[str, int], v: Any, path: str) -> tuple[Any, range] | None:
            if v is None:
                error(row, path, "missing", f"`{path}` is missing")
                return None
            if isinstance(v, np.ndarray):
                v = v.tolist()
            if not isinstance(v, (list, tuple)):
                error(row, path, "wrong_type", f"expected a list, found {_describe(v)}")
                return None
            n = len(v)
            kind, k = axis
            if kind == "fixed":
                if n != k:
                    error(row, path, "wrong_length", f"expected {k} elements, found {n}")
                    return None
                return v, range(n)
            dim = self.plan.dims[k]
            seen = self.dim_len[k][row]
            if seen >= 0 and seen != n:
                error(row, path, "dim_mismatch", f"dim `{dim.name}` has length {seen} elsewhere in this record, {n} here")
                return None
            first = seen < 0
            self.dim_len[k][row] = n
            if dim.min is not None and n < dim.min:
                error(row, path, "wrong_length", f"dim `{dim.name}` needs at least {dim.min} elements, found {n}")
                return None
            if dim.max is None and n > self.max_dim_len:
                error(row, path, "too_long", f"{n} elements, longer than the {self.max_dim_len} allowed for dim `{dim.name}`, which has no `max` (raise the cap with --max-dim-len / max_dim_len)")
                return None
            kept = (0, n) if dim.max is None else _kept(n, dim.max, dim.truncate)
            if kept is None:
                error(row, path, "too_long", f"{n} elements, longer than dim `{dim.name}` max {dim.max}")
                return None
            if first:
                self.dim_kept[k][row] = kept[1] - kept[0]
            return v, range(kept[0], kept[1])

        def leaf(row: int, v: Any, path: str, idx: list[int]) -> None:
            values.append(v)
            rows.append(row)
            cells.append(self.cell(inp, row, idx, strides) if self.write else 0)
            seqs.append(seq[0])
            paths.append(path)
            seq[0] += 1

        def walk(row: int, v: Any, axis: int, path: str, idx: list[int]) -> None:
            if axis == out_rank:
                if not inp.reduces:
                    leaf(row, v, path, idx)
                    return
                got = items(row, inp.shape[-1], v, path)
                if got is not None:
                    for raw_i in got[1]:
                        leaf(row, got[0][raw_i], f"{path}[{raw_i}]", idx)
                return
            got = items(row, inp.shape[axis], v, path)
            if got is None:
                return
            for pos, raw_i in enumerate(got[1]):
                walk(row, got[0][raw_i], axis + 1, f"{path}[{raw_i}]", [*idx, pos])

        for row in range(self.n):
            if dead is not None and dead[row]:
                continue
            walk(row, column[row], 0, inp.column, [])
        leaves = _Leaves(values, np.array(rows, dtype=np.int64), np.array(cells, dtype=np.int64), np.array(seqs, dtype=np.int64), paths)
        self.leaves(inp, leaves, False, None)

    def arrow_lists(self, inp: _Input, col: _ArrowList) -> bool:
        """`shaped` for Arrow lists with whole-array operations, a list level at a time: the
        entries' lengths checked against the level's axis (a fixed size; a dim's min, max,
        truncation, the cap and its one length per record), then the kept elements of every
        entry taken at once. `False`, with nothing changed, when an entry is null or breaks a
        rule, or the nesting is not the input's: the walker then reports it exactly."""
        if len(col.levels) != len(inp.shape):
            return False
        n = self.n
        out_rank = len(inp.shape) - (1 if inp.reduces else 0)
        strides = self.strides(inp) if self.write else []
        entries = np.arange(n, dtype=np.int64)
        rows = entries
        # Cells are followed only when tensors are written (`validate` needs none).
        cells = rows * strides[0] + inp.offset if self.write else None
        raw: list[Array] = []
        # Dim lengths seen per record, changed here and kept only if every level passes.
        staged: dict[int, tuple[Array, Array]] = {}
        for a, (kind, k) in enumerate(inp.shape):
            offsets, nulls = col.levels[a]
            if nulls is not None and nulls[entries].any():
                return False
            lengths = offsets[entries + 1] - offsets[entries]
            start = np.zeros(len(entries), dtype=np.int64)
            kept = lengths
            if kind == "fixed":
                if (lengths != k).any():
                    return False
            else:
                dim = self.plan.dims[k]
                if k not in staged:
                    staged[k] = (np.asarray(self.dim_len[k], dtype=np.int64), np.asarray(self.dim_kept[k], dtype=np.int64))
                seen, dim_kept = staged[k]
                # A record's first entry along this dim sets its length, unless seen before.
                first = np.ones(len(entries), dtype=np.bool_)
                first[1:] = rows[1:] != rows[:-1]
                first_rows = rows[first]
                is_fresh = seen[first_rows] < 0
                length = seen.copy()
                length[first_rows] = np.where(is_fresh, lengths[first], seen[first_rows])
                if (length[rows] != lengths).any() or (dim.min is not None and (lengths < dim.min).any()):
                    return False
                if dim.max is None:
                    if (lengths > self.max_dim_len).any():
                        return False
                else:
                    over = lengths > dim.max
                    if over.any():
                        if dim.truncate not in ("left", "right"):
                            return False
                        kept = np.minimum(lengths, dim.max)
                        if dim.truncate == "left":
                            start = np.where(over, lengths - dim.max, 0)
                fresh = first_rows[is_fresh]
                seen[fresh] = lengths[first][is_fresh]
                dim_kept[fresh] = kept[first][is_fresh]
            owner, pos = _spread(kept)
            at = pos + start[owner]
            raw = [r[owner] for r in raw] + [at]
            entries = offsets[entries][owner] + at
            rows = rows[owner]
            if cells is not None:
                cells = cells[owner]
                if a < out_rank:
                    cells = cells + pos * strides[a + 1]
        for k, (seen, dim_kept) in staged.items():
            self.dim_len[k] = seen.tolist()
            self.dim_kept[k] = dim_kept.tolist()
        total = len(entries)
        if cells is None:
            cells = np.zeros(total, dtype=np.int64)
        self.leaves(inp, _Leaves(col.take(entries), rows, cells, np.arange(total, dtype=np.int64), None, raw), False, None)
        return True

    def leaves(self, inp: _Input, lv: _Leaves, fill_ok: bool, dead: Array | None) -> None:
        """Validates and encodes the leaves of one input, vectorized. A batch with any error is
        not returned, so values are written whatever their validity, except where a position
        would be unknown."""
        errs: list[tuple[int, str, str]] = []
        kind = inp.kind
        write = self.write
        if kind in ("one_hot", "index"):
            found = _all_categories(inp, lv.values)
            if found is not None:
                # Every value is one of the categories, so every check has passed.
                if write:
                    if kind == "index":
                        self.put(inp, lv, None, found)
                    else:
                        self.put(inp, lv, None, 1, found)
                return
        ok, vals = _typed(inp, lv.values, fill_ok, errs)
        if kind == "scale":
            x = vals.astype(np.float64) if not isinstance(vals, list) else np.zeros(len(vals))
            out = _scale(inp, x, ok, errs)
            if write:
                self.put(inp, lv, None, out)
        elif kind == "none":
            if write and inp.dtype != "str":
                self.put(inp, lv, None, vals)
        elif kind in ("one_hot", "multi_hot", "index"):
            pos = _positions(inp, vals, ok)
            unknown = (pos < 0) & ok
            if kind == "index" and inp.oov is not None:
                where = np.flatnonzero(unknown)
                if len(where):
                    pos[where] = inp.k + (_hash(inp, vals, where) % np.uint64(inp.oov)).astype(np.int64)
            elif not inp.ignore or kind == "index":
                for i in np.flatnonzero(unknown):
                    errs.append((int(i), "unknown_category", f"{_shown(vals[i])} is not one of the {inp.k} categories: {inp.listed}"))
                ok &= ~unknown
            if write:
                if kind == "index":
                    self.put(inp, lv, None, pos)
                else:
                    hit = ok & (pos >= 0)
                    self.put(inp, lv, None if hit.all() else hit, 1, pos)
        elif kind == "hash":
            if write:
                every = np.arange(len(ok))
                self.put(inp, lv, None, (_hash(inp, vals, every) % np.uint64(inp.buckets)).astype(np.int64))
        elif kind == "bucketize":
            if write:
                self.put(inp, lv, None, np.searchsorted(inp.boundaries, np.asarray(vals).astype(np.float64), side="right"))
        else:
            self.text(inp, lv, vals, ok, errs)
        for at, code, message in errs:
            row = lv.row(at)
            if dead is not None and dead[row]:
                continue
            self.errors.add(row, inp.order, lv.seq(at), lv.path(inp, at), code, message)

    def text(self, inp: _Input, lv: _Leaves, vals: Any, ok: Array, errs: list[tuple[int, str, str]]) -> None:
        """`bytes` / `chars`: code units, zero-padded, and the `<input>_mask`."""
        units, starts, counts = _units(inp, vals, ok)
        max_len = inp.max_len
        start = np.zeros(len(counts), dtype=np.int64)
        over = ok & (counts > max_len)
        if over.any():
            if inp.truncate == "left":
                start = np.where(over, counts - max_len, 0)
            elif inp.truncate != "right":
                unit = "bytes" if inp.kind == "bytes" else "characters"
                for i in np.flatnonzero(over).tolist():
                    errs.append((i, "too_long", f"the text is {int(counts[i])} {unit}, longer than `max_len` {max_len}"))
                ok &= ~over
        kept = np.where(ok, np.minimum(counts, max_len), 0)
        if not self.write:
            return
        target = self.out[inp.tensor]
        if target is not None:
            stride = target.shape[1] if target.ndim > 1 else 1
            cells = np.arange(len(kept), dtype=np.int64) * stride + inp.offset if lv.cells is None else lv.cells
            owner, pos = _spread(kept)
            target.reshape(-1)[cells[owner] + pos] = units[starts[owner] + start[owner] + pos]
        mask = self.out[inp.text_mask] if inp.text_mask is not None else None
        if mask is not None:
            # One mask row per record, from its last valid leaf (a shaped text input has many).
            valid = np.flatnonzero(ok)
            rows = valid if lv.rows is None else lv.rows[valid]
            last = np.ones(len(valid), dtype=np.bool_)
            last[:-1] = rows[1:] != rows[:-1]
            mask[rows[last], :max_len] = np.arange(max_len)[None, :] < kept[valid[last]][:, None]

    def flush(self) -> None:
        """Writes the pending columns, each run of adjacent ones as one block."""
        for t, columns in self.pending.items():
            target = self.out[t]
            assert target is not None
            columns.sort(key=lambda c: c[0])
            start = 0
            while start < len(columns):
                end = start + 1
                while end < len(columns) and columns[end][0] == columns[end - 1][0] + 1:
                    end += 1
                first = columns[start][0]
                if end - start == 1:
                    target[:, first] = columns[start][1]
                else:
                    target[:, first : first + end - start] = np.stack([c[1] for c in columns[start:end]], axis=1)
                start = end
        self.pending.clear()

    def dim_masks(self) -> None:
        for d, dim in enumerate(self.plan.dims):
            if dim.mask is None:
                continue
            mask = self.out[dim.mask]
            if mask is None:
                continue
            width = mask.shape[1]
            kept = np.array(self.dim_kept[d], dtype=np.int64)
            seen = np.array(self.dim_len[d], dtype=np.int64) >= 0
            mask[:] = (np.arange(width)[None, :] < np.minimum(kept, width)[:, None]) & seen[:, None]


def _shown(v: Any) -> str:
    if isinstance(v, str):
        return _describe(v).removeprefix("the string ")
    return _describe(v)


_LONGEST_NAME: Final = 256
_LISTED_COLUMNS: Final = 8
_ASCII_LOWER: Final = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _nbytes(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a):
        cur = [i + 1]
        for j, cb in enumerate(b):
            cur.append(min(prev[j] + (ca != cb), prev[j + 1] + 1, cur[j] + 1))
        prev = cur
    return prev[len(b)]


def _closest(word: str, options: list[str]) -> str | None:
    """The closest option when it is close enough to be a typo (the runtime's rule)."""
    if _nbytes(word) > _LONGEST_NAME:
        return None
    best: tuple[int, str] | None = None
    for o in options:
        if _nbytes(o) > _LONGEST_NAME:
            continue
        d = _distance(word, o)
        if d <= max(2, _nbytes(o) // 3) and d < max(_nbytes(o), _nbytes(word)) and (best is None or d < best[0]):
            best = (d, o)
    return best[1] if best else None


def _closest_column(word: str, columns: list[str]) -> str | None:
    """The column an input probably means: equal but for case, else but for case, spaces, `-`
    and `_`, else the closest by edit distance ignoring case."""
    folded = word.translate(_ASCII_LOWER)
    for c in columns:
        if c.translate(_ASCII_LOWER) == folded:
            return c

    def squash(s: str) -> str:
        return "".join(ch for ch in s if ch not in " _-").lower()

    wanted = squash(word)
    for c in columns:
        if _nbytes(c) <= _LONGEST_NAME and squash(c) == wanted:
            return c
    lowered = [c.lower() if _nbytes(c) <= _LONGEST_NAME else "" for c in columns]
    best = _closest(word.lower(), lowered)
    return None if best is None else columns[lowered.index(best)]


def _allowed(inp: _Input, allow: frozenset[str]) -> bool:
    return inp.name in allow or inp.column in allow


def _missing_columns(wanted: list[_Input], present: list[str], allow: frozenset[str]) -> None:
    """One `missing_column` error per input whose column a columnar source lacks (not allowed)."""
    have = set(present)
    errors = []
    for inp in wanted:
        if inp.column in have or _allowed(inp, allow):
            continue
        near = _closest_column(inp.column, present)
        if near is not None:
            hint = f"; did you mean `{near}`? (set `column: \"{near}\"` on the input, or rename the data's column)"
        elif not present:
            hint = "; the data has no columns"
        else:
            more = len(present) - _LISTED_COLUMNS
            hint = "; the data's columns are " + ", ".join(f"`{c}`" for c in present[:_LISTED_COLUMNS]) + (f" and {more} more" if more > 0 else "")
        fill = f"; if every row should get the fill, allow the column to be missing (`--allow-missing-column {inp.name}`, `allow_missing=[\"{inp.name}\"]`)" if inp.has_fill else ""
        errors.append(FieldError(0, inp.column, "missing_column", f"input `{inp.name}` reads column `{inp.column}`, which the data does not have{hint}{fill}"))
    if errors:
        raise SchemaValidationError(errors)


def _warn_absent(wanted: list[_Input], records: list[dict[Any, Any]], allow: frozenset[str]) -> None:
    """Warns of each input with a fill that no record carries: every row gets the fill, which is
    legal, and also what a renamed field looks like."""
    keys = [str(k) for k in records[0]] if records else []
    for inp in wanted:
        if inp.has_fill and not _allowed(inp, allow) and not any(inp.column in r for r in records):
            near = _closest_column(inp.column, keys)
            hint = f"; did you mean `{near}`?" if near is not None else ""
            warnings.warn(f"input `{inp.name}` (column `{inp.column}`) is absent from every record: every row gets its fill {inp.fill_shown}{hint}", stacklevel=5)


def _columns(data: Any, plan: _Plan, run: _Run, strict: bool, allow: frozenset[str] = frozenset()) -> tuple[dict[str, Any], Array | None]:
    """The input columns of `data` (records or columns), reporting rows that are not objects and,
    in strict mode, unknown fields. A columnar source must have every input's column (unless
    `allow` names it); records only warn of a filled input none of them carries."""
    known = {i.column for i in plan.inputs}
    wanted = [i for i in plan.inputs if run.active(i)]
    first = min((i.order for i in wanted), default=0)
    if hasattr(data, "columns") and not isinstance(data, Mapping):
        data = {str(c): data[c] for c in data.columns}
    if isinstance(data, Mapping):
        cols = {str(k): v for k, v in data.items()}
        _missing_columns(wanted, list(cols), allow)
        if strict:
            extra = sorted(k for k in cols if k not in known)
            for row in range(run.n):
                for j, key in enumerate(extra):
                    run.errors.add(row, -1, j, key, "unknown_field", f"unknown field `{key}`")
        out = {}
        for inp in wanted:
            if inp.column in cols:
                out[inp.name] = _to_column(cols[inp.column], inp)
            else:
                out[inp.name] = [None] * run.n
        return out, None
    records = data if isinstance(data, list) else list(data)
    dead: Array | None = None
    if set(map(type, records)) <= {dict}:
        plain = records
    else:
        dead = np.zeros(run.n, dtype=np.bool_)
        plain = []
        for row, r in enumerate(records):
            record: dict[Any, Any] | None = None
            why = "a record must be an object"
            if isinstance(r, Mapping):
                # Another mapping is read through its items once, as a dict: whatever its own
                # methods do, a record that cannot be read is a coded error at its row.
                try:
                    record = dict(r.items())
                except Exception as e:  # noqa: BLE001 - whatever its methods raise
                    why = f"the record cannot be read ({type(e).__name__})"
            if record is None:
                dead[row] = True
                plain.append({})
                if wanted:
                    run.errors.add(row, first, -1, "", "wrong_type", why)
            else:
                plain.append(record)
    _warn_absent(wanted, plain, allow)
    if strict:
        for row, r in enumerate(plain):
            for j, key in enumerate(sorted(k for k in r if k not in known)):
                run.errors.add(row, -1, j, str(key), "unknown_field", f"unknown field `{key}`")
    if dead is None and plain and wanted:
        fast = _picked_columns(wanted, plain)
        if fast is not None:
            return fast, None
    out = {inp.name: list(map(dict.get, plain, repeat(inp.column))) if dead is None else [r.get(inp.column) for r in plain] for inp in wanted}
    return out, dead


def _picked_columns(wanted: list[_Input], records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Columns from records that all have every field (the common case), a group of same-kind
    inputs at a time: one pass picks the group's fields from every record, one scan checks their
    Python types, one numpy call converts them. Strings are handed over as lists: their category
    lookup finds any odd value. `None` when some record lacks a field."""
    groups: dict[str, list[_Input]] = {}
    for inp in wanted:
        if inp.shape:
            kind = "shaped"
        elif inp.dtype in _FLOATS:
            kind = "float"
        elif inp.dtype in ("str", "bool", "u64"):
            kind = inp.dtype
        else:
            kind = "int"
        groups.setdefault(kind, []).append(inp)
    allowed: dict[str, set[type]] = {"float": {float, int}, "int": {int}, "bool": {bool}}
    target: dict[str, Any] = {"float": np.float64, "int": np.int64, "bool": np.bool_}
    out: dict[str, Any] = {}
    n = len(records)
    try:
        for kind, inputs in groups.items():
            names = [inp.name for inp in inputs]
            columns = [inp.column for inp in inputs]
            if kind not in allowed or len(names) == 1:
                for name, column in zip(names, columns):
                    out[name] = list(map(operator.itemgetter(column), records))
                continue
            picked = list(map(operator.itemgetter(*columns), records))
            types: set[type] = set(map(type, chain.from_iterable(picked)))
            converted: Any = None
            if types <= allowed[kind]:
                try:
                    if kind == "float":
                        converted = np.fromiter(chain.from_iterable(picked), dtype=np.float64, count=n * len(names)).reshape(n, len(names))
                    else:
                        converted = np.array(picked, dtype=target[kind]).reshape(n, len(names))
                except OverflowError:
                    converted = None
            for k, name in enumerate(names):
                out[name] = converted[:, k] if converted is not None else [row[k] for row in picked]
    except KeyError:
        return None
    return out


def _column_length(name: Any, col: Any) -> int:
    if isinstance(col, (list, tuple)):
        return len(col)
    if getattr(col, "ndim", 1) == 0 or not hasattr(col, "__len__") or isinstance(col, (str, bytes)):
        raise TypeError(f"column `{name}` is a single value ({type(col).__name__}); a column holds one value per row, as a list, a numpy array or a pandas Series")
    return len(col)


def _length(data: Any) -> int:
    if hasattr(data, "columns") and not isinstance(data, Mapping):
        return len(data)
    if isinstance(data, Mapping):
        lengths = {k: _column_length(k, v) for k, v in data.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns of different lengths: {lengths}")
        return next(iter(lengths.values()), 0)
    return len(data)


def _arguments(data: Any, error_limit: Any, max_dim_len: Any) -> Any:
    """The arguments, checked: a clear `TypeError`/`ValueError` naming the one that is wrong."""
    for name, value in (("error_limit", error_limit), ("max_dim_len", max_dim_len)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"`{name}` must be an int, not {type(value).__name__}")
        if value < 1:
            raise ValueError(f"`{name}` must be at least 1, not {value}")
    if isinstance(data, (Mapping, list, tuple)) or hasattr(data, "columns"):
        return data
    if data is None or isinstance(data, (str, bytes)) or not hasattr(data, "__iter__"):
        raise TypeError(f"`data` must be a list of records (dicts) or a mapping of columns, not {type(data).__name__}")
    return list(data)


def _allow(allow_missing: Any) -> frozenset[str]:
    if isinstance(allow_missing, str) or not all(isinstance(a, str) for a in allow_missing):
        raise TypeError("`allow_missing` must be a list of input or column names")
    return frozenset(allow_missing)


def _run(data: Any, training: bool, strict: bool, write: bool, error_limit: int, max_dim_len: int = MAX_DIM_LEN, allow_missing: Sequence[str] = ()) -> dict[str, Array]:
    plan = _plan()
    data = _arguments(data, error_limit, max_dim_len)
    allow = _allow(allow_missing)
    run = _Run(plan, _length(data), training, write, max_dim_len)
    cols, dead = _columns(data, plan, run, strict, allow)
    active = [i for i in plan.inputs if run.active(i)]
    for inp in active:
        if inp.shape and any(k == "dim" for k, _ in inp.shape):
            col = cols[inp.name]
            if isinstance(col, _ArrowList) and dead is None:
                run.measure_arrow(col, inp.shape)
                continue
            for row in range(run.n):
                if dead is None or not dead[row]:
                    run.measure(col[row], inp.shape)
    if write:
        run.allocate()
    for inp in active:
        if inp.shape:
            run.shaped(inp, cols[inp.name], dead)
        else:
            run.scalar(inp, cols[inp.name], dead)
    if run.errors.items:
        items = sorted(run.errors.items, key=lambda e: (e[0], e[1], e[2]))
        kept = [FieldError(row, path, code, message) for row, _, _, path, code, message in items[:error_limit]]
        raise SchemaValidationError(kept, max(0, len(items) - error_limit))
    if not write:
        return {}
    run.flush()
    run.dim_masks()
    return {t.name: out for t, out in zip(plan.tensors, run.out) if out is not None}


def encode(data: Sequence[Mapping[str, Any]] | Mapping[str, Any], training: bool = False, strict: bool = False, error_limit: int = ERROR_LIMIT, max_dim_len: int = MAX_DIM_LEN, allow_missing: Sequence[str] = ()) -> dict[str, Array]:
    """Validates `data` and encodes it into the schema's tensors, in tensor order.

    `data` is a list of records (dicts) or a mapping of columns (lists, numpy arrays, pandas
    Series; a pandas DataFrame works too). `training=True` adds (and requires) labels and
    weights. `strict=True` reports fields the schema does not know. A dim without `max` holds
    at most `max_dim_len` elements. Raises `SchemaValidationError` listing every invalid value
    (up to `error_limit`); nothing is returned for data that does not fit.

    Columns (a mapping, a DataFrame, Arrow) must include every input's column: one that lacks it
    is a `missing_column` error, unless `allow_missing` names the input (or its column), whose
    rows then get the fill. Records only warn of a filled input none of them carries."""
    return _run(data, training, strict, True, error_limit, max_dim_len, allow_missing)


def validate(data: Sequence[Mapping[str, Any]] | Mapping[str, Any], training: bool = False, strict: bool = False, error_limit: int = ERROR_LIMIT, max_dim_len: int = MAX_DIM_LEN, allow_missing: Sequence[str] = ()) -> None:
    """Checks `data` as `encode` does, without building tensors; raises `SchemaValidationError`."""
    _run(data, training, strict, False, error_limit, max_dim_len, allow_missing)


def collate(records: Sequence[Mapping[str, Any]], training: bool = True) -> dict[str, Any]:
    """A `collate_fn` for `torch.utils.data.DataLoader` over datasets of raw records: the batch's
    tensors as torch tensors (labels and weights included unless `training=False`)."""
    torch = importlib.import_module("torch")
    return {name: torch.from_numpy(array) for name, array in encode(list(records), training=training).items()}


def encode_arrow(batch: Any, training: bool = False, strict: bool = False, allow_missing: Sequence[str] = ()) -> dict[str, Array]:
    """Encodes a `pyarrow.RecordBatch` or `Table` (as Spark, Ray Data and Dask hand them over),
    column by column: numbers and bools stay numpy arrays, strings (plain, large or dictionary)
    stay in Arrow; a null is a missing value."""
    pyarrow = importlib.import_module("pyarrow")
    if not isinstance(batch, (pyarrow.RecordBatch, pyarrow.Table)):
        raise TypeError(f"expected a pyarrow RecordBatch or Table, found {type(batch).__name__}")
    columns = {name: _arrow_column(batch.column(name)) for name in batch.schema.names}
    return encode(columns, training=training, strict=strict, allow_missing=allow_missing)


_SAFETENSORS_DTYPES: Final = {"bool": "BOOL", "int8": "I8", "int16": "I16", "int32": "I32", "int64": "I64", "uint8": "U8", "uint16": "U16", "uint32": "U32", "uint64": "U64", "float32": "F32", "float64": "F64"}


def _batch_arrays(tensors: Mapping[str, Any]) -> list[tuple[str, Array]]:
    """The tensors `encode` returned, checked against the schema's tensors, in the schema's order."""
    if not isinstance(tensors, Mapping):
        raise TypeError(f"`tensors` must be the dict `encode` returns, not {type(tensors).__name__}")
    unknown = [str(k) for k in tensors if k not in TENSOR_SPECS]
    if unknown:
        raise ValueError(f"schema `{SCHEMA_NAME}` has no tensor {', '.join(f'`{k}`' for k in unknown)}; its tensors are {', '.join(TENSOR_SPECS)}")
    out = []
    for name, (dtype, shape) in TENSOR_SPECS.items():
        if name not in tensors:
            continue
        a = np.asarray(tensors[name])
        if a.dtype.name != dtype or a.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, a.shape)):
            raise ValueError(f"tensor `{name}` is {a.dtype.name} {list(a.shape)}; the schema makes {dtype} {[n if n is not None else '?' for n in shape]}")
        out.append((name, np.ascontiguousarray(a)))
    return out


def save(tensors: Mapping[str, Any], path: Any) -> None:
    """Writes the tensors `encode` returned as a batch file `tensorseam verify` accepts: `.npz`
    (numpy's own) or `.safetensors`, carrying this schema's name, version and fingerprint, as
    `tensorseam encode` writes them. The file is written beside its target and renamed over it:
    a failure leaves any old file as it was."""
    target = os.fspath(path)
    kind = "npz" if target.endswith(".npz") else "safetensors" if target.endswith(".safetensors") else None
    if kind is None:
        raise ValueError(f"`{target}`: a batch file is `*.npz` or `*.safetensors`")
    arrays = _batch_arrays(tensors)
    # The runtime's metadata, byte for byte: keys sorted, no spaces.
    meta = json.dumps({"fingerprint": FINGERPRINT, "schema": SCHEMA_NAME, "version": SCHEMA_VERSION}, separators=(",", ":"), ensure_ascii=False)
    folder = os.path.dirname(target) or "."
    temp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        with open(temp, "xb") as f:
            if kind == "npz":
                entries: dict[str, Any] = dict(arrays)
                entries["__tensorseam__"] = np.array(meta)
                np.savez(f, **entries)
            else:
                header: dict[str, Any] = {"__metadata__": {"__tensorseam__": meta}}
                offset = 0
                for name, a in arrays:
                    header[name] = {"dtype": _SAFETENSORS_DTYPES[a.dtype.name], "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
                    offset += a.nbytes
                text = json.dumps(header, separators=(",", ":")).encode()
                text += b" " * (-len(text) % 8)
                f.write(len(text).to_bytes(8, "little"))
                f.write(text)
                for _, a in arrays:
                    f.write(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


_ARROW_TYPES: Final = {"bool": "bool_", "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64", "uint8": "uint8", "uint16": "uint16", "uint32": "uint32", "uint64": "uint64", "float32": "float32", "float64": "float64"}


def _arrow_meta() -> dict[bytes, bytes]:
    """The schema metadata `tensorseam encode -o x.parquet` writes, byte for byte."""
    meta = json.dumps({"fingerprint": FINGERPRINT, "schema": SCHEMA_NAME, "version": SCHEMA_VERSION}, separators=(",", ":"), ensure_ascii=False)
    return {b"tensorseam": meta.encode()}


def _arrow_type(pyarrow: Any, dtype: str, inner: Sequence[int]) -> Any:
    """A column of examples of per-example shape `inner`: nested fixed-size lists (items not null)."""
    kind = getattr(pyarrow, _ARROW_TYPES[dtype])()
    for n in reversed(inner):
        kind = pyarrow.list_(pyarrow.field("item", kind, nullable=False), n)
    return kind


def arrow_schema(training: bool = False, dims: Mapping[str, int] | None = None) -> Any:
    """The `pyarrow.Schema` of `to_arrow`'s output (and of `tensorseam encode -o x.parquet`): one
    column per tensor, labels and weights only with `training=True`, this schema's fingerprint in
    the metadata under `tensorseam`. A dim without `max` has no fixed width: give it in `dims`
    (`{"tokens": 128}`) — a batch is padded to its longest list, so the width is the batch's."""
    pyarrow = importlib.import_module("pyarrow")
    plan = _plan()
    given = dict(dims or {})
    fields = []
    for t in plan.tensors:
        if t.kind in ("label", "weight") and not training:
            continue
        dtype, shape = TENSOR_SPECS[t.name]
        inner: list[int] = []
        for (kind, ref), n in zip(t.axes[1:], shape[1:]):
            if n is not None:
                inner.append(n)
                continue
            dim = plan.dims[ref].name if kind == "dim" else ""
            if dim not in given:
                raise ValueError(f"tensor `{t.name}`: dim `{dim}` has no `max`, so its width is each batch's longest; pass it as arrow_schema(dims={{{dim!r}: N}})")
            inner.append(int(given[dim]))
        fields.append(pyarrow.field(t.name, _arrow_type(pyarrow, dtype, inner), nullable=False))
    return pyarrow.schema(fields, metadata=_arrow_meta())


def to_arrow(tensors: Mapping[str, Any]) -> Any:
    """The tensors `encode` returned as a `pyarrow.RecordBatch`, one row per example — the layout
    of `tensorseam encode -o x.parquet` (SPEC §11): a scalar per example is a primitive column, a
    per-example shape nested fixed-size lists; the fingerprint in the schema metadata. What
    Spark's `mapInArrow`, Ray Data's `map_batches` and Dask's `map_partitions` hand back."""
    pyarrow = importlib.import_module("pyarrow")
    columns = []
    fields = []
    for name, a in _batch_arrays(tensors):
        column = pyarrow.array(a.reshape(-1), type=getattr(pyarrow, _ARROW_TYPES[a.dtype.name])())
        kind = column.type
        for n in reversed(a.shape[1:]):
            kind = pyarrow.list_(pyarrow.field("item", kind, nullable=False), n)
            column = pyarrow.FixedSizeListArray.from_arrays(column, type=kind)
        columns.append(column)
        fields.append(pyarrow.field(name, kind, nullable=False))
    return pyarrow.RecordBatch.from_arrays(columns, schema=pyarrow.schema(fields, metadata=_arrow_meta()))


def from_arrow(batch: Any) -> dict[str, Array]:
    """The tensors of a `pyarrow.RecordBatch` or `Table` laid out as `to_arrow` writes them (a
    `tensorseam encode -o x.parquet` file read by pyarrow, or a Spark/Dask/Ray job's output), as
    numpy arrays in the schema's tensor order. Raises `ValueError` for a batch of another schema
    (by the fingerprint in its metadata), an unknown column, nulls, or a dtype or width the
    schema does not make."""
    pyarrow = importlib.import_module("pyarrow")
    if not isinstance(batch, (pyarrow.RecordBatch, pyarrow.Table)):
        raise TypeError(f"expected a pyarrow RecordBatch or Table, found {type(batch).__name__}")
    meta = (batch.schema.metadata or {}).get(b"tensorseam")
    if meta is not None:
        found = json.loads(meta)
        if not isinstance(found, dict) or found.get("fingerprint") != FINGERPRINT:
            theirs = found if isinstance(found, dict) else {}
            raise ValueError(f"these tensors were encoded with schema `{theirs.get('schema')}` v{theirs.get('version')} (fingerprint {str(theirs.get('fingerprint'))[:16]}), not `{SCHEMA_NAME}` v{SCHEMA_VERSION} ({FINGERPRINT[:16]})")
    unknown = [n for n in batch.schema.names if n not in TENSOR_SPECS]
    if unknown:
        raise ValueError(f"schema `{SCHEMA_NAME}` has no tensor {', '.join(f'`{n}`' for n in unknown)}; its tensors are {', '.join(TENSOR_SPECS)}")
    out: dict[str, Array] = {}
    for name in TENSOR_SPECS:
        if name not in batch.schema.names:
            continue
        column = batch.column(name)
        if isinstance(column, pyarrow.ChunkedArray):
            column = column.combine_chunks()
        shape = [len(column)]
        while pyarrow.types.is_fixed_size_list(column.type):
            if column.null_count:
                raise ValueError(f"column `{name}` holds nulls; tensors have none")
            shape.append(column.type.list_size)
            column = column.flatten()
        if column.null_count:
            raise ValueError(f"column `{name}` holds nulls; tensors have none")
        a = np.array(column.to_numpy(zero_copy_only=False)).reshape(shape)
        out[name] = a
    _batch_arrays(out)
    return out


_STATS_FORMAT: Final = 1
_MAX_DISTINCT: Final = 1_000_000


class _Shim:
    """What `_Input` needs of a plan, for an input read on its own (`fit_stats`)."""

    def __init__(self) -> None:
        self.dim_names = [d["name"] for d in _IR["dims"]]


def _fit_targets() -> list[tuple[_Input, str]]:
    """Each input with a `fit` placeholder, as an `_Input` that reads its raw value and runs the
    steps before the fitted one, with what is fitted: `standardize`, `minmax` or `categories`."""
    shim = _Shim()
    out = []
    for n, ir in enumerate(_IR["inputs"]):
        scale, enc = ir.get("scale"), ir.get("encode")
        if scale:
            at = [i for i, s in enumerate(scale) if isinstance(s, dict) and next(iter(s.values())) == "fit"]
            if len(at) > 1:
                raise ValueError(f"input `{ir['name']}` has {len(at)} `fit` steps; fit the first, write the result, then fit again")
            if at:
                kind = next(iter(scale[at[0]]))
                out.append((_Input({**ir, "scale": scale[: at[0]] or None}, shim, n), kind))  # type: ignore[arg-type]
        elif enc:
            ((_, p),) = enc.items()
            if isinstance(p, dict) and isinstance(p.get("categories"), dict):
                out.append((_Input({**ir, "encode": None}, shim, n), "categories"))  # type: ignore[arg-type]
    return out


def _fit_columns(data: Any) -> tuple[dict[str, Any] | None, list[Mapping[str, Any]] | None, int]:
    """`data` as columns (Arrow, a mapping, a DataFrame) or as records, and its length."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None and isinstance(data, (pyarrow.RecordBatch, pyarrow.Table)):
        return {name: _arrow_column(data.column(name)) for name in data.schema.names}, None, data.num_rows
    if hasattr(data, "columns") and not isinstance(data, Mapping):
        return {str(c): data[c] for c in data.columns}, None, len(data)
    if isinstance(data, Mapping):
        return {str(k): v for k, v in data.items()}, None, _length(data)
    records = data if isinstance(data, list) else list(data)
    return None, [r if isinstance(r, Mapping) else {} for r in records], len(records)


def _arrow_column(col: Any) -> Any:
    """An Arrow column as `encode` reads it: numbers, bools and strings, and lists of them
    nested to any depth, kept in Arrow or numpy buffers (a null is missing); any other type as
    Python values."""
    pyarrow = importlib.import_module("pyarrow")
    if isinstance(col, pyarrow.ChunkedArray):
        col = col.combine_chunks()
    values = _arrow_values(pyarrow, col)
    if values is not None:
        return values
    lists = _arrow_lists(pyarrow, col)
    return col.to_pylist() if lists is None else lists


def _leaves_of(values: list[Any]) -> tuple[list[Any], list[int]]:
    """The elements of a shaped input's values (nested lists flattened), each with its row."""
    out: list[Any] = []
    rows: list[int] = []

    def walk(v: Any, row: int) -> None:
        if isinstance(v, (list, tuple)):
            for x in v:
                walk(x, row)
        elif isinstance(v, np.ndarray) and v.ndim > 0:
            walk(v.tolist(), row)
        else:
            out.append(v)
            rows.append(row)

    for row, v in enumerate(values):
        walk(v, row)
    return out, rows


def _prefix(inp: _Input, x: Array, ok: Array, errs: list[tuple[int, str, str]]) -> Array:
    """The steps before the fitted one, in f64 (as `tensorseam fit` runs them)."""
    x = _steps(inp, x, ok, errs)
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(x) & ok
    for i in np.flatnonzero(bad):
        errs.append((int(i), "non_finite", f"{float(x[i])!r} after the steps before the fitted one"))
    ok &= ~bad
    return x


def _finite(x: float) -> float | None:
    """A statistic as JSON holds it: a value too large for f64 is `null`."""
    return x if math.isfinite(x) else None


def _input_stats(inp: _Input, kind: str, column: Any, n: int) -> dict[str, Any]:
    """One input's statistics over one column."""
    values = _to_column(column, inp)
    rows: list[int] | None = None
    if inp.shape:
        flat = values.flat() if isinstance(values, _ArrowList) else None
        if flat is not None:
            values, rows = flat[0], flat[1].tolist()
        else:
            seq = values.tolist() if isinstance(values, (np.ndarray, _Arrow, _ArrowList)) else list(values)
            values, rows = _leaves_of(seq)
    errs: list[tuple[int, str, str]] = []
    ok, vals = _typed(inp, values, False, errs)
    if kind in ("standardize", "minmax"):
        x = np.asarray(vals, dtype=np.float64)
        x = _prefix(inp, np.where(ok, x, 0.0), ok, errs)
    missing = sum(1 for e in errs if e[1] == "missing")
    invalid = [e for e in errs if e[1] != "missing"]
    first = min(invalid, key=lambda e: e[0], default=None)
    out: dict[str, Any] = {
        "missing": missing,
        "invalid": len(invalid),
        "taken": int(ok.sum()),
        "first_invalid": None if first is None else [first[0] if rows is None else rows[first[0]], f"{first[1]}: {first[2]}"],
    }
    if kind == "standardize":
        taken = x[ok]
        mean = float(taken.mean()) if len(taken) else 0.0
        with np.errstate(all="ignore"):
            m2 = float(((taken - mean) ** 2).sum()) if len(taken) else 0.0
        out["moments"] = {"count": len(taken), "mean": _finite(mean), "m2": _finite(m2)}
    elif kind == "minmax":
        taken = x[ok]
        out["extremes"] = {"min": float(taken.min()), "max": float(taken.max())} if len(taken) else None
    else:
        out["counts"], out["dropped"] = _capped(_counts(inp, vals, ok))
    return out


def _counts(inp: _Input, vals: Any, ok: Array) -> dict[Any, int]:
    """How often each valid value occurs: counted by Arrow or numpy, not value by value."""
    if isinstance(vals, _Arrow):
        found = vals.pc.value_counts(vals.array.filter(importlib.import_module("pyarrow").array(ok)))
        return dict(zip(found.field("values").to_pylist(), found.field("counts").to_pylist()))
    if isinstance(vals, np.ndarray):
        keys, n = np.unique(vals[ok], return_counts=True)
        return dict(zip(keys.tolist(), n.tolist()))
    counts: dict[Any, int] = {}
    for v, good in zip(vals, ok.tolist()):
        if good:
            counts[v] = counts.get(v, 0) + 1
    return counts


def _capped(counts: Mapping[Any, int]) -> tuple[list[list[Any]], int]:
    """Category counts as `[value, n]` pairs, at most a million distinct values (the rest dropped,
    as `tensorseam fit` drops them: any dropped value fails the fit)."""
    pairs = [[k, n] for k, n in counts.items()]
    return pairs[:_MAX_DISTINCT], sum(n for _, n in pairs[_MAX_DISTINCT:])


def fit_stats(data: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> dict[str, Any]:
    """The statistics of every `fit` placeholder over one part of the data (a Spark, Dask or Ray
    partition; records, columns, a DataFrame or an Arrow table), as JSON-serializable data in the
    format `tensorseam fit --stats-out` writes (docs/artifacts.md). Values are taken as `encode`
    takes them; missing and invalid values are counted and skipped. Merge parts with
    `merge_stats`, write the result as JSON, and finish with `tensorseam fit SCHEMA --stats FILE`."""
    columns, records, n = _fit_columns(data)
    inputs: dict[str, Any] = {}
    for inp, kind in _fit_targets():
        if columns is not None:
            if inp.column not in columns:
                _missing_columns([inp], list(columns), frozenset())
            column: Any = columns[inp.column]
        else:
            column = [r.get(inp.column) for r in records or []]
        inputs[inp.name] = _input_stats(inp, kind, column, n)
    return {"tensorseam_stats": _STATS_FORMAT, "schema": SCHEMA_NAME, "fingerprint": FINGERPRINT, "rows": n, "inputs": inputs}


def _merge_moments(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Chan's update of (count, mean, m2)."""
    na, nb = int(a["count"]), int(b["count"])
    if nb == 0:
        return dict(a)
    if na == 0:
        return dict(b)
    mean_a = math.inf if a["mean"] is None else float(a["mean"])
    mean_b = math.inf if b["mean"] is None else float(b["mean"])
    m2_a = math.inf if a["m2"] is None else float(a["m2"])
    m2_b = math.inf if b["m2"] is None else float(b["m2"])
    count = na + nb
    delta = mean_b - mean_a
    mean = mean_a + delta * (nb / count)
    m2 = m2_a + m2_b + delta * delta * (na * nb / count)
    return {"count": count, "mean": _finite(mean), "m2": _finite(m2)}


def merge_stats(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The statistics of two parts as one (`b`'s rows following `a`'s): counts added, moments by
    Chan's update, extremes widened, category counts summed. Associative, so partitions reduce in
    any grouping; raises `ValueError` for statistics of another schema."""
    for s in (a, b):
        if s.get("tensorseam_stats") != _STATS_FORMAT or s.get("fingerprint") != FINGERPRINT:
            raise ValueError(f"statistics of schema `{s.get('schema')}` (fingerprint {str(s.get('fingerprint'))[:16]}) are not this module's `{SCHEMA_NAME}` ({FINGERPRINT[:16]}): fit every part with the same schema")
    rows_a = int(a["rows"])
    inputs: dict[str, Any] = {}
    for name, x in a["inputs"].items():
        y = b["inputs"].get(name)
        if y is None:
            raise ValueError(f"input `{name}` has no statistics in the second part")
        first = x["first_invalid"]
        if first is None and y["first_invalid"] is not None:
            first = [int(y["first_invalid"][0]) + rows_a, y["first_invalid"][1]]
        merged: dict[str, Any] = {"missing": x["missing"] + y["missing"], "invalid": x["invalid"] + y["invalid"], "taken": x["taken"] + y["taken"], "first_invalid": first}
        if "moments" in x:
            merged["moments"] = _merge_moments(x["moments"], y["moments"])
        if "extremes" in x:
            e, f = x["extremes"], y["extremes"]
            merged["extremes"] = f if e is None else e if f is None else {"min": min(e["min"], f["min"]), "max": max(e["max"], f["max"])}
        if "counts" in x:
            counts: dict[Any, int] = {}
            for k, c in list(x["counts"]) + list(y["counts"]):
                counts[k] = counts.get(k, 0) + int(c)
            merged["counts"], dropped = _capped(counts)
            merged["dropped"] = x["dropped"] + y["dropped"] + dropped
        inputs[name] = merged
    return {"tensorseam_stats": _STATS_FORMAT, "schema": SCHEMA_NAME, "fingerprint": FINGERPRINT, "rows": rows_a + int(b["rows"]), "inputs": inputs}


def stamp_onnx(model: Any) -> Any:
    """Writes this schema's name, version and fingerprint into an ONNX model's `metadata_props`
    (`tensorseam.schema`, `tensorseam.version`, `tensorseam.fingerprint`; earlier stamps replaced),
    so that `tensorseam check-model` and a server's start-up check refuse it with another schema.
    `model` is an `onnx.ModelProto` (stamped in place and returned) or the path of an `.onnx` file
    (rewritten through a temporary file beside it). Imports `onnx` only when called."""
    onnx = importlib.import_module("onnx")
    path = os.fspath(model) if isinstance(model, (str, os.PathLike)) else None
    proto = onnx.load(path) if path is not None else model
    kept = [(p.key, p.value) for p in proto.metadata_props if not p.key.startswith("tensorseam.")]
    del proto.metadata_props[:]
    for key, value in kept + [("tensorseam.schema", SCHEMA_NAME), ("tensorseam.version", str(SCHEMA_VERSION)), ("tensorseam.fingerprint", FINGERPRINT)]:
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    if path is not None:
        temp = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.{os.getpid()}.tmp")
        try:
            onnx.save(proto, temp)
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.remove(temp)
            raise
    return proto
