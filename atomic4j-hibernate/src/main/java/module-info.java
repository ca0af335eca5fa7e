/** Hibernate ORM and Jakarta Persistence joined to atomic blocks: {@link io.atomic4j.hibernate.AtomicHibernate}. */
module io.atomic4j.hibernate {
    requires transitive io.atomic4j;
    // AtomicHibernate builds SessionFactory instances; EntityRollbacks is a Hibernate Integrator.
    requires transitive org.hibernate.orm.core;
    // A block marked rollback-only fails the JPA commit with jakarta.persistence.RollbackException. (Its use of
    // jakarta.transaction is Status constants, inlined at compile time: see this module's pom.)
    requires jakarta.persistence;
    requires org.slf4j;

    exports io.atomic4j.hibernate;

    // On the module path Hibernate finds its integrators here; META-INF/services serves the class path.
    provides org.hibernate.integrator.spi.Integrator with io.atomic4j.hibernate.EntityRollbacks;
}
