namespace Downshift.Databases.Internal;

/// <summary>The SQL that <see cref="PostgresDatabase"/> sends to psql on the host (on stdin, never in a command line).</summary>
internal static class PostgresSql
{
    /// <summary>User schemas: everything but the catalogs, TOAST and temporary schemas.</summary>
    private const string UserSchema = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

    /// <summary>
    /// The fingerprint, read in one REPEATABLE READ snapshot with fixed output settings (UTC, ISO
    /// dates, a search_path of only pg_catalog so every name prints qualified) so that a database and
    /// its restored copy give the same text. First one line <c>["schema", HASH]</c>: the SHA-256 of
    /// the sorted lines that describe relations, columns (position, type, NOT NULL, default, identity),
    /// constraints, indexes, views, sequences, triggers, enum and domain types and functions — no OID,
    /// owner or database name. Then, through <c>\gexec</c> (one query per table, all in this one
    /// psql), <c>["table", "schema.name", ROWS, CHECKSUM]</c>: the SHA-256 over the MD5 of each row's
    /// text, the rows ordered by that text in the "C" collation, computed on the server.
    /// </summary>
    public const string Fingerprint = $$"""
        BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
        SET LOCAL search_path = pg_catalog;
        SET LOCAL TimeZone = 'UTC';
        SET LOCAL DateStyle = 'ISO, YMD';
        SET LOCAL IntervalStyle = 'postgres';
        SET LOCAL extra_float_digits = 1;
        SET LOCAL bytea_output = 'hex';
        SET LOCAL work_mem = '64MB';
        WITH rel AS (
            SELECT c.oid, c.relkind, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {{UserSchema}} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        ), lines(line) AS (
            SELECT format('relation %s %s', name, relkind::text) FROM rel
            UNION ALL
            SELECT format('column %s #%s %s %s%s%s%s%s', r.name,
                          row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                          quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
                          CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                          ' default ' || pg_get_expr(d.adbin, d.adrelid),
                          CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text END,
                          CASE WHEN a.attgenerated <> '' THEN ' generated ' || a.attgenerated::text END)
            FROM rel r
            JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE r.relkind <> 'S'
            UNION ALL
            SELECT format('constraint %s %s %s', r.name, quote_ident(k.conname), pg_get_constraintdef(k.oid, true))
            FROM pg_constraint k JOIN rel r ON r.oid = k.conrelid
            UNION ALL
            SELECT format('index %s', pg_get_indexdef(i.indexrelid)) FROM pg_index i JOIN rel r ON r.oid = i.indrelid
            UNION ALL
            SELECT format('view %s %s', name, pg_get_viewdef(oid, true)) FROM rel WHERE relkind IN ('v', 'm')
            UNION ALL
            SELECT format('sequence %s %s start %s increment %s min %s max %s cycle %s', r.name,
                          format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle)
            FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
            UNION ALL
            SELECT format('trigger %s', pg_get_triggerdef(t.oid, true))
            FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
            UNION ALL
            SELECT format('type %s %s %s %s', format_type(t.oid, NULL), t.typtype::text, format_type(t.typbasetype, t.typtypmod),
                          (SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE {{UserSchema}} AND t.typtype IN ('e', 'd')
            UNION ALL
            SELECT format('function %s', pg_get_functiondef(p.oid))
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE {{UserSchema}} AND p.prokind IN ('f', 'p')
              AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
        )
        SELECT json_build_array('schema', encode(sha256(convert_to(coalesce(string_agg(line, E'\n' ORDER BY line COLLATE "C"), ''), 'UTF8')), 'hex'))
        FROM lines;
        SELECT format($q$SELECT json_build_array('table', %L, count(*), encode(sha256(coalesce(string_agg(decode(md5(r), 'hex'), ''::bytea ORDER BY r COLLATE "C"), ''::bytea)), 'hex')) FROM (SELECT t::text AS r FROM %I.%I AS t) AS s$q$,
                      n.nspname || '.' || c.relname, n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {{UserSchema}} AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY 1
        \gexec
        COMMIT;

        """;

    /// <summary>
    /// What a restore sends before the dump's own SQL, in the same transaction: it ends the other
    /// sessions on the database (where this role may), drops every user schema with all it holds, and
    /// makes <c>public</c> again as a new database has it (pg_dump never creates <c>public</c>; the
    /// dump's own owner, grants and comment for it follow). Objects created after the dump go too.
    /// </summary>
    public const string RestorePrologue = $$"""
        BEGIN;
        DO $restore$
        DECLARE
            backend int;
            nsp name;
        BEGIN
            FOR backend IN SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() LOOP
                BEGIN
                    PERFORM pg_terminate_backend(backend);
                EXCEPTION WHEN insufficient_privilege THEN
                    NULL; -- another role's session: the drops below wait for it
                END;
            END LOOP;
            FOR nsp IN SELECT n.nspname FROM pg_namespace n WHERE {{UserSchema}} LOOP
                EXECUTE format('DROP SCHEMA %I CASCADE', nsp);
            END LOOP;
            CREATE SCHEMA public;
            IF current_setting('server_version_num')::int >= 150000 THEN
                ALTER SCHEMA public OWNER TO pg_database_owner;
                GRANT USAGE ON SCHEMA public TO PUBLIC;
            ELSE
                GRANT ALL ON SCHEMA public TO PUBLIC;
            END IF;
            COMMENT ON SCHEMA public IS 'standard public schema';
        END
        $restore$;

        """;

    /// <summary>Creates the scratch database <paramref name="name"/> (already a safe identifier) with the current database's encoding and locale.</summary>
    public static string CreateLike(string name) => $$"""
        SELECT format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L', '{{name}}', pg_encoding_to_char(encoding), datcollate, datctype)
        FROM pg_database WHERE datname = current_database()
        \gexec

        """;

    /// <summary>Drops the scratch database <paramref name="name"/>, ending its sessions.</summary>
    public static string Drop(string name) => $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);\n";

    /// <summary>
    /// One query as <c>COPY (...) TO STDOUT</c> (text format: exact values, <c>\N</c> for NULL); a
    /// trailing semicolon is dropped, and the query stands on its own lines so a trailing comment ends there.
    /// </summary>
    public static string Copy(string query) => $"COPY (\n{query.TrimEnd().TrimEnd(';').TrimEnd()}\n) TO STDOUT;\n";
}
