/**
 * What differs per database: savepoint SQL, isolation levels, read-only, connection-loss detection
 * and commit-outcome resolution (PostgreSQL). Not API.
 */
package io.atomic4j.internal.dialect;
