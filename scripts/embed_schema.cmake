# Writes a C++ file holding each schema/NNNN_*.sql migration as a raw string literal, in order.
# Called at build time with -DOUT=... -DMIGRATIONS="a.sql|b.sql" (in order).
string(REPLACE "|" ";" MIGRATIONS "${MIGRATIONS}")
set(body "// Generated from schema/*.sql by scripts/embed_schema.cmake. Do not edit.\n")
string(APPEND body "#include \"engine/storage/migrations.h\"\n\nnamespace yl::storage {\n\n")
string(APPEND body "const std::vector<std::string_view>& embedded_migrations() {\n")
string(APPEND body "  static const std::vector<std::string_view> kMigrations = {\n")
foreach(file IN LISTS MIGRATIONS)
  file(READ "${file}" sql)
  string(APPEND body "R\"yl_sql(${sql})yl_sql\",\n")
endforeach()
string(APPEND body "  };\n  return kMigrations;\n}\n\n}  // namespace yl::storage\n")
file(WRITE "${OUT}" "${body}")
