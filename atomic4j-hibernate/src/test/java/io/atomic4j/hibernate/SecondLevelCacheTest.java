package io.atomic4j.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import jakarta.persistence.EntityManager;
import java.util.Map;
import org.hibernate.Cache;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The second-level cache (JCache regions, Ehcache 3 in memory, READ_WRITE) never holds state of
 * rolled-back work, whole or nested; committed work is cached as usual.
 */
class SecondLevelCacheTest extends HibernateTestBase {

    private void useCache(TestDatabase database) {
        use(database, Map.of(
                "hibernate.cache.region.factory_class", "jcache",
                "hibernate.javax.cache.provider", "org.ehcache.jsr107.EhcacheCachingProvider",
                "hibernate.javax.cache.missing_cache_strategy", "create"));
    }

    private String cachedName(int id) {
        try (EntityManager em = factory.createEntityManager()) {
            return em.find(CachedItem.class, id).getName();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void committedWorkIsCached(TestDatabase database) {
        useCache(database);
        Cache cache = factory.getCache();
        db.atomic(() -> {
            try (EntityManager em = factory.createEntityManager()) {
                em.persist(new CachedItem(1, "one"));
            }
        });
        assertThat(cache.contains(CachedItem.class, 1)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void wholeRollbackLeavesNothingInTheCache(TestDatabase database) {
        useCache(database);
        Cache cache = factory.getCache();
        db.atomic(() -> {
            try (EntityManager em = factory.createEntityManager()) {
                em.persist(new CachedItem(1, "one"));
            }
        });
        assertThat(cachedName(1)).isEqualTo("one");
        assertThatThrownBy(() -> db.atomic(() -> {
            try (EntityManager em = factory.createEntityManager()) {
                em.find(CachedItem.class, 1).setName("rolled back");
                em.persist(new CachedItem(2, "rolled back"));
                em.flush();
            }
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(cache.contains(CachedItem.class, 2)).isFalse();
        assertThat(cachedName(1)).isEqualTo("one");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nestedRollbackLeavesNothingInTheCacheAfterTheOuterCommit(TestDatabase database) {
        useCache(database);
        Cache cache = factory.getCache();
        db.atomic(() -> {
            try (EntityManager em = factory.createEntityManager()) {
                em.persist(new CachedItem(1, "one"));
            }
        });
        assertThat(cachedName(1)).isEqualTo("one");
        db.atomic(() -> {
            try (EntityManager em = factory.createEntityManager()) {
                CachedItem one = em.find(CachedItem.class, 1);
                assertThatThrownBy(() -> db.atomic(() -> {
                    one.setName("rolled back");
                    em.persist(new CachedItem(2, "rolled back"));
                    em.flush();
                    throw new IllegalStateException("inner");
                })).hasMessage("inner");
                em.persist(new CachedItem(3, "three"));
            }
        });
        assertThat(cache.contains(CachedItem.class, 2)).isFalse();
        assertThat(cachedName(1)).isEqualTo("one");
        assertThat(cachedName(3)).isEqualTo("three");
        try (EntityManager em = factory.createEntityManager()) {
            assertThat(em.find(CachedItem.class, 2)).isNull();
        }
    }
}
