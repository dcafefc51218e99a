#!/usr/bin/env python3
"""Checks the iOS sources against what can be checked without a Swift toolchain (CI runs it):

1. Every name the package's and the app's Swift sources use is declared by the generated
   bindings (ios/CompanionKit/Sources/CompanionCore/CompanionCore.swift, from
   generate-bindings.sh), by the sources themselves, by Swift, or is one of the platform names
   listed in ios/platform-names.txt. A core call renamed or misspelled fails here.
2. Every Robolectric scenario of the Android app (@Test in android/src/test) exists as an
   XCTest case of the same name (`func test_<name>()`) in ios/CompanionKit/Tests.
3. Every word the app looks up (Words.swift) is in the String Catalog with English and
   Simplified Chinese, with the same placeholders, and the catalog holds no word unused.

`--self-test` checks that the checks catch what they must: a misspelled core call, a missing
scenario and a missing translation, each injected into a copy.
"""
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IOS = ROOT / "ios"
KIT = IOS / "CompanionKit"
GENERATED = KIT / "Sources" / "CompanionCore" / "CompanionCore.swift"

SWIFT_WORDS = set("""
associatedtype class deinit enum extension fileprivate func import init inout internal let open
operator private precedencegroup protocol public rethrows static struct subscript typealias var
break case catch continue default defer do else fallthrough for guard if in repeat return throw
switch where while as Any false is nil self Self super throws true try await async some any
lazy weak unowned override final required convenience mutating nonmutating dynamic optional
get set willSet didSet newValue oldValue indirect left right none precedence prefix postfix
infix consuming borrowing sending isolated nonisolated discardableResult escaping main
testable available objc MainActor Sendable unchecked exported autoclosure ViewBuilder
ObservedObject Published UIApplicationDelegateAdaptor error
""".split())

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip(source: str) -> str:
    """The source without comments, and string literals reduced to their interpolations."""
    out = []
    i, n = 0, len(source)
    while i < n:
        if source.startswith("//", i):
            j = source.find("\n", i)
            i = n if j < 0 else j
        elif source.startswith("/*", i):
            j = source.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif source[i] == '"':
            triple = source.startswith('"""', i)
            i += 3 if triple else 1
            while i < n:
                if source[i] == "\\" and i + 1 < n and source[i + 1] == "(":
                    # An interpolation: keep its code.
                    depth, i = 1, i + 2
                    start = i
                    while i < n and depth:
                        depth += {"(": 1, ")": -1}.get(source[i], 0)
                        i += 1
                    out.append(" " + source[start : i - 1] + " ")
                elif source[i] == "\\":
                    i += 2
                elif triple and source.startswith('"""', i):
                    i += 3
                    break
                elif not triple and source[i] == '"':
                    i += 1
                    break
                else:
                    i += 1
            out.append(' "" ')
        else:
            out.append(source[i])
            i += 1
    return "".join(out)


def declared(code: str) -> set:
    """Names the code declares: types, functions, properties, cases, parameters, bindings."""
    names = set()
    for m in re.finditer(r"\b(?:func|var|let|class|struct|enum|protocol|typealias|extension|actor)\s+([A-Za-z_]\w*)", code):
        names.add(m.group(1))
    for m in re.finditer(r"\bcase\s+((?:[A-Za-z_]\w*\s*(?:\([^)]*\))?\s*,\s*)*[A-Za-z_]\w*)", code):
        names.update(IDENT.findall(re.sub(r"\([^)]*\)", "", m.group(1))))
    # Parameters of functions and initializers: label and name.
    for m in re.finditer(r"\b(?:func\s+\w+|init\??)\s*(?:<[^>]*>)?\s*\(", code):
        depth, i = 1, m.end()
        start = i
        while i < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[i], 0)
            i += 1
        for part in re.finditer(r"(?:^|[,(])\s*(?:@\w+\s+)*(\w+)(?:\s+(\w+))?\s*:", code[start : i - 1]):
            names.update(g for g in part.groups() if g)
    # Closure parameters, loop variables, pattern bindings.
    for m in re.finditer(r"\{\s*(?:\[[^\]]*\]\s*)?\(?\s*([\w\s,]+?)\)?\s+in\b", code):
        names.update(IDENT.findall(m.group(1)))
    for m in re.finditer(r"\bfor\s+(?:case\s+)?\(?([\w\s,]+?)\)?\s+in\b", code):
        names.update(IDENT.findall(m.group(1)))
    for m in re.finditer(r"\b(?:let|var)\s*\(([\w\s,]+)\)", code):
        names.update(IDENT.findall(m.group(1)))
    for m in re.finditer(r"\blet\s+\.?\w+\(([\w\s,]+)\)", code):
        names.update(IDENT.findall(m.group(1)))
    for m in re.finditer(r"\(\s*let\s+(\w+)", code):
        names.add(m.group(1))
    for m in re.finditer(r",\s*let\s+(\w+)", code):
        names.add(m.group(1))
    # Tuple element labels in types and literals: `(String, String?)` has none; `(key: x)` does.
    return names


def sources():
    for folder in (KIT / "Sources" / "CompanionKit", KIT / "Tests", IOS / "CompanionApp"):
        yield from sorted(folder.rglob("*.swift"))
    yield KIT / "Package.swift"


def check_names(kit_sources, generated: Path, platform_file: Path) -> list:
    if not generated.exists():
        return [f"{generated} is missing: run ios/generate-bindings.sh first"]
    core = set(IDENT.findall(generated.read_text()))
    platform = set()
    for line in platform_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        platform.update(line.split())
    codes = {p: strip(p.read_text()) for p in kit_sources}
    # The package's own modules.
    ours = {"CompanionCore", "CompanionCoreFFI", "CompanionKit"}
    for code in codes.values():
        ours |= declared(code)
    problems = []
    used_platform = set()
    for path, code in codes.items():
        for number, line in enumerate(code.splitlines(), 1):
            if re.match(r"\s*(?:@\w+\s+)*import\s", line):
                continue
            for name in IDENT.findall(line):
                if name in SWIFT_WORDS or name in ours or name in core or name.startswith("_"):
                    continue
                if name in platform:
                    used_platform.add(name)
                    continue
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                problems.append(f"{where}:{number}: `{name}` is declared neither by the "
                                "generated bindings, the sources, Swift nor ios/platform-names.txt")
    unused = sorted(platform - used_platform)
    if unused:
        problems.append(f"ios/platform-names.txt lists names no source uses: {' '.join(unused)}")
    return problems


def check_scenarios(android_tests: Path, ios_tests: Path) -> list:
    android = set()
    for path in android_tests.rglob("*.kt"):
        android.update(re.findall(r"@Test\s*(?:@\w+(?:\([^)]*\))?\s*)*fun\s+(\w+)\s*\(", path.read_text()))
    ios = set()
    for path in ios_tests.rglob("*.swift"):
        ios.update(re.findall(r"func\s+test_(\w+)\s*\(", path.read_text()))
    problems = [f"the Android scenario {name} has no XCTest case `func test_{name}()`" for name in sorted(android - ios)]
    problems += [f"the XCTest case test_{name} mirrors no Android scenario" for name in sorted(ios - android)]
    if not android:
        problems.append("no Android scenarios found")
    return problems


def check_catalog(words: Path, catalog: Path) -> list:
    code = words.read_text()
    keys = set(re.findall(r'\b[tf]\(\s*"((?:[^"\\]|\\.)*)"', code))
    strings = json.loads(catalog.read_text())["strings"]
    problems = []
    for key in sorted(keys):
        entry = strings.get(key)
        if entry is None:
            problems.append(f"`{key}` is looked up in Words.swift and missing from the String Catalog")
            continue
        values = {}
        for language in ("en", "zh-Hans"):
            unit = entry.get("localizations", {}).get(language, {}).get("stringUnit", {})
            if unit.get("state") != "translated" or not unit.get("value"):
                problems.append(f"`{key}` has no {language} translation")
            values[language] = unit.get("value", "")
        holes = {lang: sorted(re.findall(r"%(?:\d\$)?@", v)) for lang, v in values.items()}
        if len(re.findall(r"%(?:\d\$)?@", values["en"])) != len(re.findall(r"%(?:\d\$)?@", values["zh-Hans"])):
            problems.append(f"`{key}` has different placeholders in English and Chinese: {holes}")
    for key in sorted(set(strings) - keys):
        problems.append(f"`{key}` is in the String Catalog and looked up nowhere")
    return problems


def run(root_kit_sources=None) -> list:
    return (
        check_names(list(root_kit_sources or sources()), GENERATED, IOS / "platform-names.txt")
        + check_scenarios(ROOT / "android" / "src" / "test", KIT / "Tests")
        + check_catalog(KIT / "Sources" / "CompanionKit" / "Words.swift",
                        KIT / "Sources" / "CompanionKit" / "Resources" / "Localizable.xcstrings")
    )


def self_test() -> list:
    """Each check fails on what it must catch, in a copy."""
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reminders = tmp / "Reminders.swift"
        text = (KIT / "Sources" / "CompanionKit" / "Reminders.swift").read_text()
        assert "planNotifications(" in text
        reminders.write_text(text.replace("planNotifications(", "planNotificatons("))
        kit = [p for p in sources() if p.name != "Reminders.swift"] + [reminders]
        if not any("planNotificatons" in p for p in check_names(kit, GENERATED, IOS / "platform-names.txt")):
            failures.append("a misspelled core call was not caught")
        tests = tmp / "Tests"
        shutil.copytree(KIT / "Tests", tests)
        victim = tests / "CompanionKitTests" / "RemindersTests.swift"
        victim.write_text(victim.read_text().replace("func test_snoozeBringsTheDoseBackAfterItsMinutes", "func test_snoozeLater"))
        found = check_scenarios(ROOT / "android" / "src" / "test", tests)
        if not any("snoozeBringsTheDoseBackAfterItsMinutes" in p for p in found):
            failures.append("a missing scenario was not caught")
        catalog = tmp / "Localizable.xcstrings"
        doc = json.loads((KIT / "Sources" / "CompanionKit" / "Resources" / "Localizable.xcstrings").read_text())
        del doc["strings"]["Snooze"]["localizations"]["zh-Hans"]
        catalog.write_text(json.dumps(doc))
        if not any("`Snooze` has no zh-Hans" in p for p in check_catalog(KIT / "Sources" / "CompanionKit" / "Words.swift", catalog)):
            failures.append("a missing translation was not caught")
    return failures


def main() -> int:
    if "--self-test" in sys.argv:
        failures = self_test()
        for f in failures:
            print("self-test:", f, file=sys.stderr)
        print("ios/check.py self-test:", "failed" if failures else "every check catches what it must")
        return 1 if failures else 0
    problems = run()
    for p in problems:
        print(p, file=sys.stderr)
    swift = len(list(sources()))
    scenarios = len(re.findall(r"func\s+test_\w+", "".join(p.read_text() for p in (KIT / "Tests").rglob("*.swift"))))
    if problems:
        print(f"ios/check.py: {len(problems)} problems", file=sys.stderr)
        return 1
    print(f"ios/check.py: {swift} Swift files use only declared names; {scenarios} XCTest cases mirror "
          "the Android scenarios; the String Catalog has English and Chinese for every word")
    return 0


if __name__ == "__main__":
    sys.exit(main())
