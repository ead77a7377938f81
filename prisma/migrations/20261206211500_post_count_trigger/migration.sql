-- users.post_count is kept by the database: every INSERT and DELETE of a post, and every UPDATE of
-- its author_id, adjusts its author's counter (and updated_at) in the same statement, whoever sends
-- it (the API, a deleteMany, the cascade of a user's delete, a script), so the API's writes are plain
-- Prisma calls. No back-fill: the API kept the counters in step until now, so existing rows are right.
--
-- Locks: the post's row is locked by the statement that fires this, so the post comes first, then
-- its author(s); a move locks both authors in id order, so crossing moves (A→B, B→A) cannot deadlock.
-- The users table is the one in the posts table's own schema (TG_TABLE_SCHEMA), whatever the
-- session's search_path: the app may keep its tables in another schema (DATABASE_SCHEMA), and
-- Prisma qualifies its queries with that schema without changing the search_path.
-- A deleted author (ON DELETE CASCADE deletes their posts) is no longer there: 0 rows updated.
-- TRUNCATE fires no row trigger: recount by hand after truncating posts alone.
CREATE FUNCTION "posts_keep_post_count"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    users text := format('%I."users"', TG_TABLE_SCHEMA);
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('UPDATE %s SET "post_count" = "post_count" + 1, "updated_at" = now() WHERE "id" = $1', users)
            USING NEW."author_id";
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('UPDATE %s SET "post_count" = "post_count" - 1, "updated_at" = now() WHERE "id" = $1', users)
            USING OLD."author_id";
    ELSIF NEW."author_id" IS DISTINCT FROM OLD."author_id" THEN
        EXECUTE format('SELECT FROM %s WHERE "id" IN ($1, $2) ORDER BY "id" FOR NO KEY UPDATE', users)
            USING OLD."author_id", NEW."author_id";
        EXECUTE format(
            'UPDATE %s SET "post_count" = "post_count" + CASE WHEN "id" = $2 THEN 1 ELSE -1 END, "updated_at" = now() WHERE "id" IN ($1, $2)',
            users
        ) USING OLD."author_id", NEW."author_id";
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "posts_keep_post_count"
AFTER INSERT OR DELETE OR UPDATE OF "author_id" ON "posts"
FOR EACH ROW EXECUTE FUNCTION "posts_keep_post_count"();
