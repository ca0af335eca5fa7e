package io.atomic4j.servlet;

import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts one embedded servlet container on a free loopback port, with filters (outermost first)
 * mapped to REQUEST dispatches on "/*" and servlets on their paths, all async-capable so that a
 * refusal of {@code startAsync} comes from the filter under test. Each container is set up in a
 * method of its own, so a test run loads only the classes of the container it uses (the Tomcat 11
 * run has no Jetty servlet API on its classpath).
 */
enum Containers {
    JETTY {
        @Override
        Started start(List<Filter> filters, Map<String, HttpServlet> servlets) throws Exception {
            return startJetty(filters, servlets);
        }
    },
    /** Tomcat 10.1, or Tomcat 11 in the surefire execution that puts its jars on the classpath. */
    TOMCAT {
        @Override
        Started start(List<Filter> filters, Map<String, HttpServlet> servlets) throws Exception {
            return startTomcat(filters, servlets);
        }
    },
    UNDERTOW {
        @Override
        Started start(List<Filter> filters, Map<String, HttpServlet> servlets) throws Exception {
            return startUndertow(filters, servlets);
        }
    };

    /** A running container: where to send requests, and how to stop it. */
    record Started(URI base, AutoCloseable stop) {
    }

    abstract Started start(List<Filter> filters, Map<String, HttpServlet> servlets) throws Exception;

    /** "Apache Tomcat/11.0.29", for tests that must know which Tomcat runs. */
    static String tomcatVersion() {
        return ServerInfo.getServerInfo();
    }

    private static Started startJetty(List<Filter> filters, Map<String, HttpServlet> servlets) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        for (Filter filter : filters) {
            FilterHolder holder = new FilterHolder(filter);
            holder.setAsyncSupported(true);
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        servlets.forEach((path, servlet) -> {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            context.addServlet(holder, path);
        });
        server.setHandler(context);
        server.start();
        return new Started(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/"), server::stop);
    }

    private static Started startTomcat(List<Filter> filters, Map<String, HttpServlet> servlets) throws Exception {
        Path baseDir = Files.createTempDirectory("atomic4j-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // A response cut off after an error stalls until this timeout closes the connection (default 20 s).
        connector.setProperty("connectionTimeout", "2000");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", baseDir.toString());
        // Registered the way the README tells users to: ServletContext.addFilter from an initializer.
        context.addServletContainerInitializer((classes, servletContext) -> {
            int n = 0;
            for (Filter filter : filters) {
                FilterRegistration.Dynamic registration = servletContext.addFilter("filter" + n++, filter);
                registration.setAsyncSupported(true);
                registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
            }
            for (Map.Entry<String, HttpServlet> entry : servlets.entrySet()) {
                ServletRegistration.Dynamic registration = servletContext.addServlet("servlet" + n++, entry.getValue());
                registration.setAsyncSupported(true);
                registration.addMapping(entry.getKey());
            }
        }, null);
        tomcat.start();
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
        return new Started(base, () -> {
            tomcat.stop();
            tomcat.destroy();
        });
    }

    private static Started startUndertow(List<Filter> filters, Map<String, HttpServlet> servlets) throws Exception {
        DeploymentInfo deployment = Servlets.deployment()
                .setClassLoader(Containers.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("atomic4j-test");
        int n = 0;
        for (Filter filter : filters) {
            String name = "filter" + n++;
            deployment.addFilter(Servlets.filter(name, filter.getClass(), new ImmediateInstanceFactory<>(filter))
                    .setAsyncSupported(true));
            deployment.addFilterUrlMapping(name, "/*", DispatcherType.REQUEST);
        }
        for (Map.Entry<String, HttpServlet> entry : servlets.entrySet()) {
            HttpServlet servlet = entry.getValue();
            deployment.addServlet(Servlets.servlet("servlet" + n++, servlet.getClass(), new ImmediateInstanceFactory<>(servlet))
                    .addMapping(entry.getKey())
                    .setAsyncSupported(true));
        }
        DeploymentManager manager = Servlets.newContainer().addDeployment(deployment);
        manager.deploy();
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(manager.start())
                .build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        return new Started(URI.create("http://127.0.0.1:" + port + "/"), () -> {
            server.stop();
            manager.stop();
            manager.undeploy();
        });
    }
}
