package io.atomic4j.spring.bootapp;

import io.atomic4j.Database;
import io.atomic4j.servlet.NonAtomicRequests;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** A small Boot application for {@code BootApplicationTest}: atomic requests over H2. */
@SpringBootApplication
public class ShopApplication {
    /** What the onCommit hooks saw, in order. */
    public static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    /** Records an event and wakes {@link #awaitEvents}. */
    static void event(String event) {
        synchronized (EVENTS) {
            EVENTS.add(event);
            EVENTS.notifyAll();
        }
    }

    /**
     * Waits until {@code count} events were recorded: onCommit callbacks run after the held
     * response has been written (AtomicRequestsFilter), so the client can see the response first.
     */
    public static List<String> awaitEvents(int count) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        synchronized (EVENTS) {
            while (EVENTS.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " events, got " + EVENTS);
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(EVENTS, left);
            }
        }
        return EVENTS;
    }

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }

    @Bean
    ServletRegistrationBean<PlainServlet> plainServlet(JdbcTemplate jdbc) {
        return new ServletRegistrationBean<>(new PlainServlet(jdbc), "/plain/*");
    }

    @RestController
    static class OrderController {
        private final Database db;
        private final JdbcTemplate jdbc;
        private final DataSource pool;
        private final OrderService service;

        OrderController(Database db, JdbcTemplate jdbc, DataSource pool, OrderService service) {
            this.db = db;
            this.service = service;
            this.jdbc = jdbc;
            this.pool = pool;
        }

        @PostMapping("/orders/{id}")
        String order(@PathVariable int id) {
            jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
            db.onCommit(() -> event("committed " + id + ", in block " + db.inAtomicBlock()
                    + ", visible to others " + new JdbcTemplate(pool).queryForObject(
                            "SELECT COUNT(*) FROM orders WHERE id = ?", Integer.class, id)));
            return "in block " + db.inAtomicBlock();
        }

        @PostMapping("/orders/{id}/fail")
        String failingOrder(@PathVariable int id) {
            jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
            db.onCommit(() -> event("committed " + id));
            throw new IllegalStateException("payment refused for order " + id);
        }

        @PostMapping("/orders/{id}/service")
        String orderThroughService(@PathVariable int id) {
            service.place(id);
            return "placed";
        }

        @GetMapping("/orders")
        List<Integer> orders() {
            return jdbc.queryForList("SELECT id FROM orders ORDER BY id", Integer.class);
        }
    }

    /** A transactional service: inside a request it joins the request's block. */
    @Service
    public static class OrderService {
        private final JdbcTemplate jdbc;
        private final Database db;

        OrderService(JdbcTemplate jdbc, Database db) {
            this.jdbc = jdbc;
            this.db = db;
        }

        @Transactional
        public void place(int id) {
            jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
            event("service in request block " + db.inAtomicBlock());
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    event("service order " + id + " committed, in block " + db.inAtomicBlock());
                }
            });
        }
    }

    /** Opts out of per-request blocks: each statement commits on its own. */
    @NonAtomicRequests
    static class PlainServlet extends HttpServlet {
        private final transient JdbcTemplate jdbc;

        PlainServlet(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            int id = Integer.parseInt(request.getPathInfo().substring(1));
            jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
            throw new IllegalStateException("plain servlet failed after inserting " + id);
        }
    }
}
