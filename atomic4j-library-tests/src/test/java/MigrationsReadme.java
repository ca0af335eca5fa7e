// The Flyway and Liquibase example of README.md ("### Flyway and Liquibase"), kept here so that it compiles exactly as printed.
import io.atomic4j.Database;
import java.sql.Connection;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import org.flywaydb.core.Flyway;

class MigrationsReadme {
    static void flyway(Database db) {
        Flyway.configure().dataSource(db.dataSource()).load().migrate();     // outside any block
    }

    static void liquibase(Database db) throws Exception {
        try (Connection connection = db.connection()) {                     // outside any block
            liquibase.database.Database target = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            new CommandScope(UpdateCommandStep.COMMAND_NAME)
                    .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, target)
                    .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, "db/changelog.xml")
                    .execute();
        }
    }
}
