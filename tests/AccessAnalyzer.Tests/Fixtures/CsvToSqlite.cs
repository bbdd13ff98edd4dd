using AccessAnalyzer.Sources.Csv;
using AccessAnalyzer.Tests.Reference;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Fixtures;

/// <summary>
/// Copies every canonical CSV file of a directory into an SQLite database, cell for cell as text (empty cells as
/// NULL in reference columns, as a database export would have them), so the same data can be read through both sources.
/// </summary>
internal static class CsvToSqlite
{
    private static readonly HashSet<string> NullWhenEmpty = new(StringComparer.Ordinal)
    {
        "parent_id", "unit_id", "last_login", "scope_unit_id", "valid_until",
    };

    public static string Copy(string csvDirectory, string databasePath)
    {
        File.Delete(databasePath);
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var path in Directory.GetFiles(csvDirectory, "*.csv").Order(StringComparer.Ordinal))
        {
            var table = Path.GetFileNameWithoutExtension(path);
            using var reader = new CsvReader(path, Path.GetFileName(path));
            reader.Read().Should().BeTrue();
            var columns = reader.Fields.ToArray();
            using (var create = connection.CreateCommand())
            {
                create.Transaction = transaction;
                create.CommandText = $"CREATE TABLE \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\" TEXT"))})";
                create.ExecuteNonQuery();
            }

            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO \"{table}\" VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
            var parameters = columns.Select((_, i) => insert.Parameters.Add($"$p{i}", SqliteType.Text)).ToArray();
            while (reader.Read())
            {
                for (var i = 0; i < columns.Length; i++)
                {
                    var value = reader.Fields[i];
                    parameters[i].Value = value.Length == 0 && NullWhenEmpty.Contains(columns[i]) ? DBNull.Value : value;
                }

                insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return databasePath;
    }
}
