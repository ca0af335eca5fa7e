#!/usr/bin/env bash
# Builds the benchmarks and runs the whole suite (about 20 minutes on 2 cores), writing BENCHMARKS.md
# at the repository root. Arguments go to io.atomic4j.benchmarks.Main, e.g.
#   atomic4j-benchmarks/run.sh --databases POSTGRES --scenarios insertOne,nestedRollback --out /tmp/quick.md
# Needs only a JDK 17+ and Maven; the databases are embedded (PostgreSQL and MariaDB start from Maven artifacts).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl atomic4j-benchmarks -am package -DskipTests
cd atomic4j-benchmarks
exec java -Xms4g -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "target/classes:$(cat target/class-path.txt)" io.atomic4j.benchmarks.Main --out ../BENCHMARKS.md "$@"
