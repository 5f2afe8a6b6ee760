#!/usr/bin/env bash
# Compiles every ```swift block of README.md and Docs/*.md, so the guides
# cannot drift from the API. Each Markdown file becomes one executable target
# in a throwaway package; each block becomes the body of its own async
# throwing function (never called: this checks that examples compile, the
# test suite checks behaviour). `import` lines are hoisted to the top. Blocks
# that show a Package.swift are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${XMPP_DOCS_CHECK_DIR:-.build-docs}   # separate dirs let checks run side by side
rm -rf "$work/Sources"
mkdir -p "$work/Sources"

targets=()
for doc in README.md Docs/*.md; do
    [ -f "$doc" ] || continue
    name=$(basename "$doc" .md | tr -c 'A-Za-z0-9\n' '_')
    target="Doc_${name}"
    mkdir -p "$work/Sources/$target"
    awk -v file="$doc" '
        BEGIN { inblock = 0; n = 0 }
        /^```swift[ \t]*$/ { inblock = 1; n++; body[n] = ""; skip[n] = 0; next }
        /^```/ && inblock { inblock = 0; next }
        inblock {
            if ($0 ~ /swift-tools-version|^\/\/ Package\.swift/) skip[n] = 1
            if ($0 ~ /^(public |internal |@testable )?import /) { imports[$0] = 1 }
            else { body[n] = body[n] "    " $0 "\n" }
        }
        END {
            for (i in imports) print i
            print "// Generated from " file " by Scripts/check-docs.sh."
            for (i = 1; i <= n; i++) {
                if (skip[i]) continue
                printf "@Sendable func docExample%d() async throws {\n%s}\n\n", i, body[i]
            }
        }
    ' "$doc" > "$work/Sources/$target/main.swift"
    targets+=("$target")
done

products=""
for product in XMPP XMPPExtensions XMPPCore NIOGnuTLS XMPPTransport; do
    products+=".product(name: \"$product\", package: \"swift-xmpp\"), "
done
products+=".product(name: \"NIOCore\", package: \"swift-nio\"), "
products+=".product(name: \"Logging\", package: \"swift-log\"), "
products+=".product(name: \"ServiceLifecycle\", package: \"swift-service-lifecycle\")"
{
    echo "// swift-tools-version:6.1"
    echo "import PackageDescription"
    echo "let package = Package("
    echo "    name: \"DocsCheck\","
    echo "    dependencies: [.package(name: \"swift-xmpp\", path: \"$root\"), .package(url: \"https://github.com/apple/swift-nio.git\", from: \"2.101.2\"), .package(url: \"https://github.com/apple/swift-log.git\", from: \"1.16.2\"), .package(url: \"https://github.com/swift-server/swift-service-lifecycle.git\", from: \"2.13.0\")],"
    echo "    targets: ["
    for target in "${targets[@]}"; do
        echo "        .executableTarget(name: \"$target\", dependencies: [$products], swiftSettings: [.unsafeFlags([\"-suppress-warnings\"])]),"
    done
    echo "    ],"
    echo "    swiftLanguageModes: [.v6]"
    echo ")"
} > "$work/Package.swift"

swift build --package-path "$work"
echo "Docs examples compile (${#targets[@]} files)."
